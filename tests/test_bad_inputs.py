"""The bad-input catalogue (docs/bad_inputs.md), one test per row: every input class a user can get wrong ends in
exit status 2 and a single stderr line that names the file, line or key.

Each row builds its bad input in a fresh folder and returns the command line and the text the message must hold."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from sgfns.data.toy import write_toy_dataset

LONG = "a dog on a mat " * 80  # 1,200 characters: over the 1,000-character bound
TINY = ["--model", "sgfns-tiny", "--no-progress", "epochs=1", "data.batch_size=8", "threads=1"]


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A toy dataset and a run trained on it (built once; each row copies what it breaks)."""
    from sgfns_app.cli.main import main

    root = tmp_path_factory.mktemp("bad")
    data = write_toy_dataset(root / "toy", n_images=12, feature_dim=16, regions=6)
    run = root / "run"
    assert main(["train", "--data", str(data), "--out", str(run), *TINY]) == 0
    other = root / "other"  # a run of another model, whose checkpoints a user may copy into the wrong folder
    assert main(["train", "--data", str(data), "--out", str(other), *TINY[2:], "--model", "vsepp-tiny"]) == 0
    resized = root / "resized"  # the same model with other sizes: same tensor names, other shapes
    assert main(["train", "--data", str(data), "--out", str(resized), *TINY, "model.embed_dim=24"]) == 0
    return data, run, other, resized


def _data(base, tmp):
    return shutil.copytree(base[0], tmp / "data")


def _run(base, tmp):
    return shutil.copytree(base[1], tmp / "run")


def _text(tmp, name, content: bytes):
    p = tmp / name
    p.write_bytes(content)
    return p


# --- rows: (input class, what is wrong) -> builder(base, tmp) -> (argv, text the one line must hold) -------------
def files_caption_not_utf8(base, tmp):
    d = _data(base, tmp)
    (d / "train_caps.txt").write_bytes((d / "train_caps.txt").read_bytes().replace(b"\n", b"\xff\n", 1))
    return ["data", "check", d], "train_caps.txt:1: not valid UTF-8"


def files_caption_too_long(base, tmp):
    d = _data(base, tmp)
    lines = (d / "train_caps.txt").read_text().splitlines()
    lines[2] = LONG
    (d / "train_caps.txt").write_text("\n".join(lines) + "\n")
    return ["data", "check", d], "train_caps.txt:3: caption of 1,200 characters; the limit is 1,000"


def files_ids_missing(base, tmp):
    d = _data(base, tmp)
    (d / "val_ids.txt").unlink()
    return ["data", "check", d], "val_ids.txt: file not found"


def files_npy_truncated(base, tmp):
    d = _data(base, tmp)
    raw = (d / "test_ims.npy").read_bytes()
    (d / "test_ims.npy").write_bytes(raw[:60])
    return ["data", "check", d], "test_ims.npy: cannot read features"


def files_npy_header_mangled(base, tmp):
    d = _data(base, tmp)
    (d / "test_ims.npy").write_bytes(b"\x93NUMPY\x01\x00\x10\x00{'descr': '<f4',\n")
    return ["data", "check", d], "test_ims.npy: cannot read features"


def graphs_jsonl_not_utf8(base, tmp):
    d = _data(base, tmp)
    p = d / "val_image_sg.jsonl"
    p.write_bytes(p.read_bytes().replace(b"\n", b"\n\xfe", 1))
    return ["data", "check", d], "val_image_sg.jsonl:2: not valid UTF-8"


def graphs_jsonl_bad_json(base, tmp):
    d = _data(base, tmp)
    p = d / "val_caps_sg.jsonl"
    p.write_text(p.read_text().replace("}", "", 1))
    return ["data", "check", d], "val_caps_sg.jsonl:1: not valid JSON"


def graphs_lgsgm_pickle_garbage(base, tmp):
    src = tmp / "lgsgm"
    src.mkdir()
    for name in ("flickr30k_val_lowered_images_data.joblib", "flickr30k_val_lowered_caps_data.joblib",
                 "image_caption_matching_flickr_val.joblib"):  # fmt: skip
        (src / name).write_bytes(b"\x8d\x00\x00\x00\x00\x00\x00\x00\x80")
    argv = ["convert", "lgsgm", src, "--split", "val", "--out", tmp / "out"]
    return argv, "images_data.joblib: not a readable pickle"


def graphs_sgm_json_not_utf8(base, tmp):
    from test_convert_sgm import write_fixture

    src = tmp / "sgm"
    write_fixture(src)
    p = next(src.glob("*caps_with_rel*.json"))
    p.write_bytes(b"\xff" + p.read_bytes())
    return ["convert", "sgm", src, "--split", "test", "--out", tmp / "out"], f"{p.name}:1: not valid UTF-8"


def configs_section_given_a_value(base, tmp):
    return ["train", "--data", base[0], "--out", tmp / "r", *TINY, "model=sgfns"], "override 'model=sgfns'"


def configs_list_without_brackets(base, tmp):
    argv = ["train", "--data", base[0], "--out", tmp / "r", *TINY, "neg.rules=swap-obj"]
    return argv, "neg.rules: expected a list, got 'swap-obj' (a YAML list: neg.rules=[swap-obj]"


def configs_flag_and_override(base, tmp):
    argv = ["train", "--data", base[0], "--out", tmp / "r", *TINY[:-3], "--epochs", "2", "epochs=1.5"]
    return argv, "epochs is given twice: --epochs 2 and 'epochs=1.5'"


def configs_yaml_not_utf8(base, tmp):
    c = _text(tmp, "c.yaml", b"epochs: 1\nseed: \xff\n")
    return ["train", "--data", base[0], "--out", tmp / "r", "--config", c, *TINY], "c.yaml:2: not valid UTF-8"


def configs_yaml_bad_character(base, tmp):
    c = _text(tmp, "c.yaml", b"\x1f")
    return ["train", "--data", base[0], "--out", tmp / "r", "--config", c, *TINY], "c.yaml: not valid YAML"


def runs_resume_missing_folder(base, tmp):
    argv = ["train", "--data", base[0], "--out", tmp / "nope", "--resume", *TINY]
    return argv, "nope: no run folder to resume"


def runs_split_without_image_graphs(base, tmp):
    d = _data(base, tmp)
    (d / "val_image_sg.jsonl").unlink()
    return ["train", "--data", d, "--out", tmp / "r", *TINY], "no val_image_sg.jsonl; training sgfns-tiny needs it"


def runs_stopped_while_saving(base, tmp):
    from safetensors.torch import load_file, save_file

    r = _run(base, tmp)  # other weights than the state's: what a stop between the two writes of a checkpoint leaves
    last = r / "checkpoints/last.safetensors"
    save_file(load_file(str(last)), str(last), metadata={"other": "weights"})
    argv = ["train", "--data", base[0], "--out", r, "--resume", *TINY[:-3], "epochs=2", "threads=1"]
    return argv, "last.safetensors does not belong to last.state.pt"


def images_graphs_only_for_a_feature_model(base, tmp):
    d = _data(base, tmp)
    for s in ("train", "val", "test"):
        (d / f"{s}_ims.npy").unlink()
    meta = json.loads((d / "meta.json").read_text())
    meta["feature_dim"] = None
    (d / "meta.json").write_text(json.dumps(meta))
    return ["train", "--data", d, "--out", tmp / "r", *TINY], "no train_ims.npy (the split is graphs-only)"


def captions_parse_not_utf8(base, tmp):
    p = _text(tmp, "in.txt", b"a dog on a mat\na cat \xc3\x28 on a bed\n")
    return ["parse", p], "in.txt:2: not valid UTF-8 (byte 0xc3 at column 7)"


def captions_parse_too_long(base, tmp):
    p = _text(tmp, "in.txt", f"a dog\n{LONG}\n".encode())
    return ["parse", p], "in.txt:2: caption of 1,200 characters"


def captions_negatives_not_utf8(base, tmp):
    p = _text(tmp, "in.txt", b"\xffa dog on a mat\n")
    return ["negatives", p], "in.txt:1: not valid UTF-8"


def captions_negatives_too_long(base, tmp):
    p = _text(tmp, "in.jsonl", json.dumps({"caption": LONG}).encode() + b"\n")
    return ["negatives", p], "in.jsonl:1: caption of 1,200 characters"


def captions_score_too_long(base, tmp):
    pairs = _text(tmp, "pairs.jsonl", json.dumps({"image": 0, "caption": LONG}).encode() + b"\n")
    argv = ["score", "--run", base[1], "--data", base[0], "--split", "test", "--pairs", pairs]
    return argv, "pairs.jsonl:1: caption of 1,200 characters"


def queries_too_long(base, tmp):
    return ["search", "--run", base[1], "--index", tmp / "none", LONG], "TEXT: query of 1,200 characters"


def indexes_encode_that_did_not_finish(base, tmp):
    from sgfns_app.cli.main import main

    out = tmp / "index"
    assert main(["encode", "--run", str(base[1]), "--data", str(base[0]), "--split", "test", "--out", str(out),
                 "--no-progress"]) == 0  # fmt: skip
    (out / "index.json").unlink()  # what an encode stopped before its last write leaves
    return ["search", "--run", base[1], "--index", out, "a dog"], "index: no index.json (not an index folder"


def indexes_append_to_another_runs_index(base, tmp):
    from sgfns_app.cli.main import main

    out = tmp / "index"
    assert main(["encode", "--run", str(base[1]), "--data", str(base[0]), "--split", "test", "--out", str(out),
                 "--no-progress"]) == 0  # fmt: skip
    argv = ["encode", "--run", base[2], "--data", base[0], "--split", "test", "--out", out, "--append"]
    return argv, "index.json: checkpoint_sha256"


def _with_other_weights(base, tmp):
    r = _run(base, tmp)
    for name in ("best.safetensors", "last.safetensors"):
        shutil.copy(base[2] / "checkpoints" / name, r / "checkpoints" / name)
    return r


def checkpoints_of_other_sizes_eval(base, tmp):
    r = _run(base, tmp)
    for name in ("best.safetensors", "last.safetensors"):
        shutil.copy(base[3] / "checkpoints" / name, r / "checkpoints" / name)
    argv = ["eval", "--run", r, "--data", base[0], "--no-progress"]
    return argv, "best.safetensors: weights of model 'sgfns-tiny' do not fit model 'sgfns-tiny' of model.json"


def checkpoints_of_another_model_eval(base, tmp):
    r = _with_other_weights(base, tmp)
    argv = ["eval", "--run", r, "--data", base[0], "--no-progress"]
    return argv, "best.safetensors: weights of model 'vsepp-tiny' do not fit model 'sgfns-tiny' of model.json"


def checkpoints_of_another_model_search(base, tmp):
    from sgfns_app.cli.main import main

    index = tmp / "index"
    assert main(["encode", "--run", str(base[1]), "--data", str(base[0]), "--split", "test", "--out", str(index),
                 "--no-progress"]) == 0  # fmt: skip
    r = _with_other_weights(base, tmp)
    return ["search", "--run", r, "--index", index, "a dog"], "do not fit model 'sgfns-tiny' of model.json"


def checkpoints_of_another_model_score(base, tmp):
    r = _with_other_weights(base, tmp)
    pairs = _text(tmp, "pairs.jsonl", b'{"image": 0, "caption": "a cone"}\n')
    argv = ["score", "--run", r, "--data", base[0], "--split", "test", "--pairs", pairs]
    return argv, "do not fit model 'sgfns-tiny' of model.json"


def runs_eval_split_without_image_graphs(base, tmp):
    d = _data(base, tmp)
    (d / "test_image_sg.jsonl").unlink()
    argv = ["eval", "--run", base[1], "--data", d, "--no-progress"]
    return argv, "split 'test' has no test_image_sg.jsonl; evaluating sgfns-tiny needs it"


ROWS = [f for name, f in sorted(globals().items()) if callable(f) and name.split("_")[0] in
        {"files", "graphs", "configs", "runs", "checkpoints", "images", "captions", "queries", "indexes"}]  # fmt: skip


@pytest.mark.parametrize("row", ROWS, ids=[f.__name__ for f in ROWS])
def test_bad_input_exits_2_with_one_line_naming_it(cli, base, tmp_path, row):
    argv, expected = row(base, tmp_path)
    rc, _, err = cli(*argv)
    lines = [x for x in err.splitlines() if x.strip()]
    errors = [x for x in lines if " error: " in x]
    assert rc == 2, err
    assert len(errors) == 1 and "Traceback" not in err, err
    assert expected in errors[0], errors[0]


def test_at_the_bound_is_accepted(cli, tmp_path):
    """A caption of exactly 1,000 characters is parsed (the bound is inclusive)."""
    cap = ("a brown dog on a red mat " * 40)[:1000]
    p = _text(tmp_path, "in.txt", (cap + "\n").encode())
    rc, out, err = cli("parse", p)
    assert rc == 0, err
    assert json.loads(out)["caption"] == cap


def test_data_check_lists_the_models_a_split_suits(cli, base, tmp_path):
    d = _data(base, tmp_path)
    (d / "val_image_sg.jsonl").unlink()
    rc, out, err = cli("data", "check", d)
    assert rc == 0, err
    val = out[out.index("\nval:") : out.index("\ntest:")]
    assert "models that can use it: bridge, frozen-proj, frozen-proj-tiny, scan, scan-tiny, vsepp, vsepp-tiny" in val
    assert "models that cannot (no val_image_sg.jsonl): sgfns, sgfns-tiny, sgm, sgm-tiny, symbolic" in val


def test_precomp_folder_without_ids_uses_row_numbers_and_says_so(cli, tmp_path):
    d = tmp_path / "precomp"
    d.mkdir()
    np.save(d / "test_ims.npy", np.ones((2, 3, 4), dtype=np.float32))
    (d / "test_caps.txt").write_text("a dog\na cat\n")
    rc, out, err = cli("data", "check", d)
    assert rc == 0, err
    assert "image ids: row numbers 0..1 (no test_ids.txt)" in out


def test_query_without_known_words_warns_and_the_ranking_says_so(cli, base, tmp_path):
    index = tmp_path / "index"
    rc, _, err = cli("encode", "--run", base[1], "--data", base[0], "--split", "test", "--out", index, "--no-progress")
    assert rc == 0, err
    queries = (("!!!", False), ("\U0001f436", False), ("un chien sur le tapis", False), ("a black cone", True))
    for query, known in queries:
        rc, out, err = cli("search", "--run", base[1], "--index", index, query, "--json", "-k", "3")
        assert rc == 0, err
        doc = json.loads(out)  # one document in the service's shape
        assert len(doc["results"]) == 3 and doc["query_known"] is known, (query, doc)
        assert ("no known words" in err) is not known, (query, err)
    rc, out, err = cli("search", "--run", base[1], "--index", index, "!!!")
    assert rc == 0 and out.startswith("# query without known words"), out


def test_evaluation_on_other_language_warns_with_the_overlap(cli, base, tmp_path):
    d = _data(base, tmp_path)
    n = len((d / "test_caps.txt").read_text().splitlines())
    (d / "test_caps.txt").write_text("".join(f"le chat numero {i} mange une pomme verte\n" for i in range(n)))
    for name in ("test_caps_sg.jsonl", "test_caps_sg.meta.json", "test_compositional.jsonl", "test_twins.jsonl",
                 "test_gt.jsonl"):  # fmt: skip
        (d / name).unlink(missing_ok=True)
    out = tmp_path / "eval.json"
    rc, _, err = cli("eval", "--run", base[1], "--data", d, "--no-progress", "--json", out)
    assert rc == 0, err
    rec = json.loads(out.read_text())
    assert rec["vocabulary_overlap"] < 0.5
    assert f"only {100 * rec['vocabulary_overlap']:.0f}% of the caption words are in the run's vocabulary" in err
    rc, _, err = cli("eval", "--run", base[1], "--data", base[0], "--no-progress", "--json", out)
    assert rc == 0 and "vocabulary" not in err and json.loads(out.read_text())["vocabulary_overlap"] > 0.9


def test_eval_uses_the_caption_graphs_the_run_was_trained_with(cli, base, tmp_path):
    """A run trained on provided graphs is evaluated on them; one trained on parsed graphs, on parsed ones."""
    out = tmp_path / "eval.json"
    rc, _, err = cli("eval", "--run", base[1], "--data", base[0], "--no-progress", "--json", out)
    assert rc == 0, err
    assert json.loads(out.read_text())["caption_graphs"] == "provided"
    run = tmp_path / "parsed"
    rc, _, err = cli("train", "--data", base[0], "--out", run, *TINY, "data.text_graphs=parser")
    assert rc == 0, err
    rc, _, err = cli("eval", "--run", run, "--data", base[0], "--no-progress", "--json", out)
    assert rc == 0, err
    assert json.loads(out.read_text())["caption_graphs"].startswith("parser@")
