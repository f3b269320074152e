"""`sgfns encode` then `sgfns search` on a toy run: files on disk, text and image queries, the same results as the
exhaustive fine-grained ranking when the shortlist covers the gallery, clear errors."""

from __future__ import annotations

import json

import pytest
import torch

from sgfns.data.toy import write_toy_dataset


@pytest.fixture(scope="module", params=[[], ["model.count_keys=true"]], ids=["default", "count_keys"])
def setup(tmp_path_factory, request):
    """A trained toy run and its encoded test gallery; with `count_keys` the gallery also holds count keys, which
    the re-rank must use as the exhaustive score does."""
    from sgfns_app.cli.main import main

    root = tmp_path_factory.mktemp("idx")
    data = write_toy_dataset(root / "toy", n_images=20, feature_dim=16, regions=6)
    run = root / "run"
    rc = main(["train", "--data", str(data), "--out", str(run), "--model", "sgfns-tiny", "--no-progress",
               "epochs=1", "data.batch_size=16", "threads=1", *request.param])  # fmt: skip
    assert rc == 0
    out = root / "enc"
    rc = main(["encode", "--run", str(run), "--data", str(data), "--split", "test", "--out", str(out), "--no-progress"])
    assert rc == 0
    return data, run, out


def test_encode_writes_arrays_and_metadata(setup):
    from sgfns.index.store import load_gallery

    _, _, out = setup
    for name in ("images.safetensors", "captions.safetensors", "images_glob.npy", "captions_glob.npy", "index.json"):
        assert (out / name).is_file()
    meta, img, cap = load_gallery(out)
    assert meta["n_images"] == len(img) == len(meta["image_ids"])
    assert meta["n_captions"] == len(cap) == len(meta["captions"])
    assert {"obj", "rel"} <= set(img.sets)
    assert ("cnt" in img.sets) == ("cnt" in cap.sets) == bool(load_run_options(setup[1]).get("count_keys"))


def load_run_options(run):
    return json.loads((run / "model.json").read_text()).get("options", {})


def test_image_query_equals_exhaustive_ranking(cli, setup):
    from sgfns import load_model
    from sgfns.index.store import load_gallery

    _, run, out = setup
    meta, img, cap = load_gallery(out)
    model = load_model(run)
    with torch.inference_mode():
        full = model.similarity(img, cap)
    q = 3
    rc, stdout, err = cli("search", "--run", run, "--index", out, "--image", meta["image_ids"][q], "-k", "5",
                          "--shortlist", str(len(cap)), "--json")  # fmt: skip
    assert rc == 0, err
    rows = [json.loads(line) for line in stdout.splitlines()]
    assert [r["rank"] for r in rows] == [1, 2, 3, 4, 5]
    want = torch.argsort(-full[q], stable=True)[:5].tolist()
    assert [r["caption_index"] for r in rows] == want
    assert rows[0]["score"] == pytest.approx(float(full[q, want[0]]), abs=1e-5)


def test_text_query_returns_images(cli, setup):
    _, run, out = setup
    meta = json.loads((out / "index.json").read_text())
    rc, stdout, err = cli("search", "--run", run, "--index", out, meta["captions"][0], "-k", "3", "--json")
    assert rc == 0, err
    rows = [json.loads(line) for line in stdout.splitlines()]
    assert len(rows) == 3 and all(r["image_id"] in meta["image_ids"] for r in rows)
    assert rows[0]["score"] >= rows[1]["score"] >= rows[2]["score"]


def test_search_errors_exit_2(cli, setup, tmp_path):
    _, run, out = setup
    rc, _, err = cli("search", "--run", run, "--index", out, "--image", "no-such-id")
    assert rc == 2 and "no-such-id" in err
    rc, _, err = cli("search", "--run", run, "--index", out)
    assert rc == 2 and "exactly one query" in err
    rc, _, err = cli("search", "--run", run, "--index", tmp_path, "a dog")
    assert rc == 2 and "index.json" in err


def test_encode_stores_the_node_first_stage_and_search_uses_it(cli, setup, tmp_path):
    from sgfns.index.store import load_gallery, load_stage

    data, run, out = setup
    meta, img, cap = load_gallery(out)
    assert (out / "first_stage.safetensors").is_file()
    stage = load_stage(out, meta)
    assert meta["first_stage"]["dim"] == 32 and set(stage.weights) == {"obj", "rel"}
    # the stored stage is the one fitted on the split's images
    from sgfns import load_model
    from sgfns.index import NodeStage

    model = load_model(run)
    fresh = NodeStage.fit(model, img, cap, 32)
    for s in stage.proj:
        torch.testing.assert_close(stage.proj[s], fresh.proj[s])
    # node and global first stages: with a shortlist covering the gallery both give the exhaustive order
    with torch.inference_mode():
        full = model.similarity(img, cap)
    want = torch.argsort(-full[4], stable=True)[:6].tolist()
    for mode in ("node", "global"):
        rc, stdout, err = cli("search", "--run", run, "--index", out, "--image", meta["image_ids"][4], "-k", "6",
                              "--shortlist", str(len(cap)), "--first-stage", mode, "--json")  # fmt: skip
        assert rc == 0, err
        assert [json.loads(line)["caption_index"] for line in stdout.splitlines()] == want
    # a short list from the node stage lists what NodeIndex lists (in the dtype search uses on this CPU: bf16
    # where it multiplies bf16 fast, and bf16 rounding can swap two near-tied captions at the cut)
    from sgfns.index import NodeIndex
    from sgfns.index.nodestage import first_stage_dtype

    stage.dtype = first_stage_dtype("cpu")
    short = NodeIndex(stage, cap, "caption").search(img.select(torch.tensor([4])), 5)[1][0].tolist()
    rc, stdout, err = cli("search", "--run", run, "--index", out, "--image", meta["image_ids"][4], "-k", "5",
                          "--shortlist", "5", "--json")  # fmt: skip
    assert rc == 0, err
    assert sorted(json.loads(line)["caption_index"] for line in stdout.splitlines()) == sorted(short)


def test_encode_without_node_stage(cli, setup, tmp_path):
    data, run, _ = setup
    out = tmp_path / "enc0"
    rc, stdout, err = cli("encode", "--run", run, "--data", data, "--split", "test", "--out", out, "--no-progress",
                          "--first-stage-dim", "0")  # fmt: skip
    assert rc == 0, err
    assert "global first stage" in stdout
    assert not (out / "first_stage.safetensors").exists()
    assert "first_stage" not in json.loads((out / "index.json").read_text())
    meta = json.loads((out / "index.json").read_text())
    rc, _, err = cli("search", "--run", run, "--index", out, "--image", meta["image_ids"][0], "--first-stage", "node")
    assert rc == 2 and "node first stage" in err
    rc, _, err = cli("search", "--run", run, "--index", out, "--image", meta["image_ids"][0], "-k", "2")
    assert rc == 0, err
    rc, _, err = cli("encode", "--run", run, "--data", data, "--split", "test", "--out", out, "--first-stage-dim", "-1")
    assert rc == 2 and "--first-stage-dim" in err
