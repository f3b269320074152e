"""Models for real photos: frozen-proj, bridge, sgfns with the pretrained text encoder; the InfoNCE loss; the
photos preset."""

from __future__ import annotations

import pytest
import torch

from sgfns.data.batching import SplitInputs
from sgfns.data.dataset import load_split
from sgfns.data.toy import write_toy_dataset
from sgfns.errors import UserError
from sgfns.losses import info_nce
from sgfns.models import create_model, model_options
from sgfns.text import TextProcessor
from sgfns.text.pretrained import sentence_encoder
from sgfns_app.train.loop import build_model, model_kwargs
from sgfns_app.train.presets import build_train_config


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    root = write_toy_dataset(tmp_path_factory.mktemp("toy"), n_images=8, feature_dim=1280, regions=4)
    split = load_split(root, "train")
    tp = TextProcessor.build(split.captions, list(split.image_graphs) + list(split.caption_graphs))
    return split, tp, SplitInputs(split, tp)


def test_info_nce_is_symmetric_cross_entropy_with_other_positives_left_out():
    sim = torch.tensor([[0.9, 0.1, 0.5], [0.2, 0.8, 0.3], [0.4, 0.6, 0.7]])
    pos = torch.eye(3, dtype=torch.bool)
    t = 0.1
    ce = torch.nn.functional.cross_entropy
    want = ce(sim / t, torch.arange(3), reduction="sum") + ce(sim.T / t, torch.arange(3), reduction="sum")
    assert info_nce(sim, pos, t) == pytest.approx(float(want), rel=1e-6)
    # captions 0 and 2 of the same image: entry (0, 2) is neither the target nor a negative of row 0
    pos[0, 2] = pos[2, 0] = True
    changed = sim.clone()
    changed[0, 2] = 5.0
    assert info_nce(changed, pos, t) == pytest.approx(float(info_nce(sim, pos, t)), rel=1e-6)


def test_frozen_proj_reads_region_0_and_the_caption_text(toy):
    split, tp, inputs = toy
    m = create_model("frozen-proj-tiny", img_dim=1280)
    ib, cb = inputs.image_batch([0, 1]), inputs.caption_batch([0, 5])
    img = m.encode_images(ib)
    only_whole = dict(ib, feats=ib["feats"].clone())
    only_whole["feats"][:, 1:] = 0  # regions other than the whole photo are not read
    assert torch.equal(m.encode_images(only_whole).glob, img.glob)
    cap = m.encode_captions(cb)
    no_ids = dict(cb, tokens=torch.zeros_like(cb["tokens"]))  # token ids are not read: the text is
    assert torch.equal(m.encode_captions(no_ids).glob, cap.glob)
    want = torch.nn.functional.normalize(m.txt(sentence_encoder().encode(list(cb["text"]))), dim=-1)
    assert torch.allclose(cap.glob, want, atol=1e-6)
    info_nce(m.similarity(img, cap), torch.eye(2, dtype=torch.bool)).backward()
    assert m.img.weight.grad.abs().sum() > 0 and m.txt.weight.grad.abs().sum() > 0


def test_bridge_prefers_the_caption_naming_the_predicted_class(toy):
    from sgfns.photos.imagenet import imagenet_classes

    split, tp, inputs = toy
    m = create_model("bridge", img_dim=1280)
    assert not any(True for _ in m.parameters())  # no training: buffers only
    names = imagenet_classes().lemmas
    c = names.index("golden retriever") if "golden retriever" in names else 207
    feats = torch.zeros(1, 2, 1280)
    head_w, head_b = m.labels.head_w, m.labels.head_b
    feats[0, 0] = head_w[c] * 5.0  # a feature the classifier reads as class c
    assert int(torch.argmax(feats[0, 0] @ head_w.T + head_b)) == c
    img = m.encode_images({"feats": feats})
    from sgfns.data.batching import Texts

    cap = m.encode_captions({"text": Texts([f"a photo of a {names[c]}", "a bowl of soup on a table"])})
    s = m.similarity(img, cap)[0]
    assert s[0] > s[1]


def test_sgfns_minilm_words_are_pretrained_and_frozen(toy):
    split, tp, inputs = toy
    with pytest.raises(UserError, match="word_dim=384"):
        create_model("sgfns-tiny", img_dim=1280, vocab_size=len(tp.vocab), text_encoder="minilm")
    with pytest.raises(UserError, match="text_encoder"):
        create_model("sgfns-tiny", img_dim=1280, vocab_size=len(tp.vocab), text_encoder="bert")
    cfg = build_train_config(None, ["model.name=sgfns-tiny", "model.word_dim=384", "model.text_encoder=minilm"])
    m = build_model(cfg, tp, 1280)
    word = tp.vocab.itos[5]
    assert torch.allclose(m.text.embed.weight[5], sentence_encoder().encode([word])[0], atol=1e-6)
    assert not m.text.embed.weight.requires_grad and m.text.embed.weight[0].abs().sum() == 0
    img, cap = m.encode_images(inputs.image_batch([0, 1])), m.encode_captions(inputs.caption_batch([0, 5]))
    s = m.similarity(img, cap)
    assert s.shape == (2, 2) and torch.isfinite(s).all()
    info_nce(s, torch.eye(2, dtype=torch.bool)).backward()
    assert m.sentence.weight.grad.abs().sum() > 0 and m.text.embed.weight.grad is None


def test_sgfns_whole_photo_global_and_label_term(toy):
    """image_global=whole: the image's global vector reads region 0 only; label_prior adds the bridge's cosine as a
    fifth term, weighted, in the dense matrix and in both pair routes (gathered with autograd, grouped without)."""
    split, tp, inputs = toy
    with pytest.raises(UserError, match="image_global"):
        create_model("sgfns-tiny", img_dim=1280, image_global="mean")
    with pytest.raises(UserError, match="label_prior needs text_encoder=minilm"):
        create_model("sgfns-tiny", img_dim=1280, label_prior=1.0)
    with pytest.raises(UserError, match="1280-d features, this data has 2048-d"):
        create_model("sgfns-tiny", img_dim=2048, word_dim=384, text_encoder="minilm", label_prior=1.0)
    over = ["model.name=sgfns-tiny", "model.word_dim=384", "model.text_encoder=minilm", "model.image_global=whole",
            "model.global_nodes=false", "model.label_prior=0.7"]  # fmt: skip
    m = build_model(build_train_config(None, over), tp, 1280)
    assert not any(k.startswith("labels.") for k in m.state_dict())  # rebuilt from the installed weights
    ib, cb = inputs.image_batch([0, 1, 2]), inputs.caption_batch([0, 5, 10, 3])
    img, cap = m.encode_images(ib), m.encode_captions(cb)
    only_whole = dict(ib, feats=ib["feats"].clone())
    only_whole["feats"][:, 1:] = 0
    assert torch.allclose(m.encode_images(only_whole).glob, img.glob, atol=1e-6)
    parts = m.similarity_parts(img, cap)
    sent = sentence_encoder().encode(list(cb["text"]))
    want = 0.7 * m.labels(ib["feats"][:, 0]) @ sent.T
    assert torch.allclose(parts["label"], want, atol=1e-5)
    pi, pc = torch.tensor([0, 2, 1, 0]), torch.tensor([3, 1, 0, 2])
    with torch.no_grad():
        grouped = m.pair_parts(img, cap, pi, pc)
    gathered = m.pair_parts(img, cap, pi, pc)
    for name, dense in parts.items():
        assert torch.allclose(grouped[name], dense[pi, pc], atol=1e-5), name
        assert torch.allclose(gathered[name], dense[pi, pc], atol=1e-5), name
    info_nce(m.similarity(img, cap)[:, :3], torch.eye(3, dtype=torch.bool)).backward()
    assert m.whole.weight.grad.abs().sum() > 0 and m.regions.fc.weight.grad.abs().sum() > 0


def test_photos_preset_loads_and_fits_every_photo_model():
    from sgfns_app.train.presets import build_train_config, list_presets

    assert "photos" in list_presets()
    for name in ("sgfns", "frozen-proj", "vsepp", "sgm", "scan", "bridge", "symbolic"):
        cfg = build_train_config("photos", [f"model.name={name}"]).validate()
        assert cfg.loss.name == "infonce" and cfg.model_name == name
        assert set(model_kwargs(cfg, 100, 1280)) <= set(model_options(name))
    cfg = build_train_config("photos", ["model.name=sgfns"]).validate()
    assert cfg.model["text_encoder"] == "minilm" and cfg.neg.weight > 0 and cfg.neg.seed == 0
    assert build_train_config("photos", ["model.name=frozen-proj"]).neg.weight == 0


@pytest.mark.slow
def test_photo_models_train_and_evaluate_through_the_cli(tmp_path, cli):
    """frozen-proj (InfoNCE) trains with the one loop; bridge has nothing to train and still leaves a run folder;
    both evaluate with the one evaluator."""
    import json

    data = write_toy_dataset(tmp_path / "toy", n_images=12, feature_dim=1280, regions=3, splits=("train", "test"))
    for model, extra in (("frozen-proj-tiny", ["loss.name=infonce", "epochs=2"]), ("bridge", [])):
        run = tmp_path / model
        rc, out, err = cli("train", "--data", data, "--out", run, "--model", model, "--no-progress", "threads=1",
                           "data.batch_size=8", *extra)  # fmt: skip
        assert rc == 0, err
        summary = json.loads(out.strip().splitlines()[-1])
        assert summary["best_epoch"] == (2 if model == "frozen-proj-tiny" else 0)
        rc, out, err = cli("eval", "--run", run, "--data", data, "--split", "test", "--checkpoint", "last",
                           "--no-progress", "--json", tmp_path / f"{model}.json")  # fmt: skip
        assert rc == 0, err
        rec = json.loads((tmp_path / f"{model}.json").read_text())
        assert 0 <= rec["metrics"]["rsum"] <= 600
