"""Presets shipped inside the package, found by name; per-model options checked against the model; range checks;
`sgfns train --list-configs / --list-models`; SGFNS trains with its generated negatives by default."""

from __future__ import annotations

import pytest

from sgfns.errors import UserError
from sgfns_app.train.presets import build_train_config, list_presets

HEADLINE_RULES = ["replace-obj", "replace-att", "replace-rel", "swap-obj", "swap-att", "count"]


def test_shipped_presets_are_listed_with_a_description():
    presets = list_presets()
    assert {"cpu", "synth", "f30k", "coco"} <= set(presets)
    assert all(presets[n] for n in ("cpu", "synth", "f30k", "coco"))


def test_default_is_the_cpu_preset_and_sgfns_trains_with_its_negatives():
    cfg = build_train_config(None, [])
    assert cfg.model == {"name": "sgfns", "embed_dim": 128, "word_dim": 300, "text_layers": 1, "rel_center": True,
                         "rel_roles": True, "rel_skip": True, "count_keys": True}  # fmt: skip
    assert cfg.neg.weight == 1.0 and cfg.neg.rules == HEADLINE_RULES
    off = build_train_config(None, ["neg.weight=0"])
    assert off.neg.weight == 0 and off.model == cfg.model


def test_synth_preset_is_the_measured_recipe():
    """The synthetic world's budget as the results table was measured: 2 epochs over 4,000 images, one thread,
    Adam 5e-4 cosine with 50 warm-up steps, selection on 500 val images, batch 128."""
    cfg = build_train_config("synth", ["model.name=sgfns"])
    assert (cfg.epochs, cfg.threads, cfg.data.max_train_images, cfg.data.max_val_images) == (2, 1, 4000, 500)
    assert (cfg.optim.lr, cfg.optim.schedule, cfg.optim.warmup_steps, cfg.data.batch_size) == (5e-4, "cosine", 50, 128)
    assert cfg.neg.weight == 1.0 and cfg.model["count_keys"] is True
    vsepp = build_train_config("synth", ["model.name=vsepp"])
    assert vsepp.model == {"name": "vsepp", "embed_dim": 128, "word_dim": 300, "text_layers": 1}
    assert vsepp.neg.weight == 0 and vsepp.epochs == 2
    assert build_train_config("f30k", ["model.name=sgm"]).model["embed_dim"] == 1024
    assert build_train_config("coco", []).epochs == 30  # extends f30k


def test_a_model_option_the_model_does_not_take_is_an_error_naming_the_model():
    with pytest.raises(UserError, match=r"model.rel_center: model 'vsepp' takes no option 'rel_center'; its options"):
        build_train_config("synth", ["model.name=vsepp", "model.rel_center=true"])
    with pytest.raises(UserError, match=r"model.embed_dim: model 'symbolic' takes no option 'embed_dim'; its op"):
        build_train_config(None, ["model.name=symbolic", "model.embed_dim=64"])
    with pytest.raises(UserError, match=r"model.name: unknown model 'sgfnz'; available: .*sgfns"):
        build_train_config(None, ["model.name=sgfnz"])
    with pytest.raises(UserError, match="choose the model with --model NAME"):
        build_train_config(None, ["model=sgfns"])


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("threads=-1", "threads: must be at least 0, got -1"),
        ("epochs=0", "epochs: must be at least 1, got 0"),
        ("data.batch_size=1", r"data.batch_size: must be at least 2 \(in-batch negatives\), got 1"),
        ("max_steps=-5", "max_steps: must be at least 0, got -5"),
        ("eval_batch_size=0", "eval_batch_size: must be at least 1, got 0"),
        ("optim.lr=0", "optim.lr: must be positive, got 0.0"),
        ("neg.per_positive=0", "neg.per_positive: must be >= 1, got 0"),
        ("neg.weight=-1", "neg.weight: must be >= 0, got -1.0"),
        ("model.embed_dim=0", "model.embed_dim: must be at least 1, got 0"),
        ("model.alpha=high", "model.alpha: expected a number, got 'high'"),
        ("neg.rules=[swap-everything]", "neg.rules: unknown rule 'swap-everything' .*e.g. neg.rules=\\[replace-obj"),
    ],
)
def test_range_and_type_checks_name_the_key(override, message):
    with pytest.raises(UserError, match=message):
        build_train_config(None, [override])


def test_presets_by_name_or_file(tmp_path):
    with pytest.raises(UserError, match="--config nosuch: no such preset or file; presets: .*cpu"):
        build_train_config("nosuch", [])
    f = tmp_path / "mine.yaml"
    f.write_text("extends: synth\nepochs: 3\nmodels:\n  sgfns:\n    model: {embed_dim: 64}\n")
    cfg = build_train_config(str(f), [])
    assert cfg.epochs == 3 and cfg.model["embed_dim"] == 64 and cfg.model["count_keys"] is True
    assert cfg.data.max_train_images == 4000
    loop = tmp_path / "loop.yaml"
    loop.write_text(f"extends: {loop}\n")
    with pytest.raises(UserError, match="loops back"):
        build_train_config(str(loop), [])


def test_list_configs_and_models_from_the_command_line(cli):
    rc, out, err = cli("train", "--list-configs")
    assert rc == 0 and "synth" in out and "[default]" in out
    rc, out, err = cli("train", "--list-models")
    assert rc == 0 and "sgfns " in out and "count_keys" in out and "symbolic" in out
    rc, out, err = cli("train", "--model", "sgfns")
    assert rc == 2 and "--data, --out" in err
