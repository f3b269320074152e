"""`sgfns encode` then `sgfns search` on a toy run: files on disk, text and image queries, the same results as the
exhaustive fine-grained ranking when the shortlist covers the gallery, clear errors."""

from __future__ import annotations

import json

import pytest
import torch

from sgfns.data.toy import write_toy_dataset


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    from sgfns_app.cli.main import main

    root = tmp_path_factory.mktemp("idx")
    data = write_toy_dataset(root / "toy", n_images=20, feature_dim=16, regions=6)
    run = root / "run"
    rc = main(["train", "--data", str(data), "--out", str(run), "--model", "sgfns-tiny", "--no-progress",
               "epochs=1", "data.batch_size=16", "threads=1"])  # fmt: skip
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


def test_image_query_equals_exhaustive_ranking(cli, setup):
    from sgfns.index.store import load_gallery
    from sgfns_app.train.checkpoint import load_run

    _, run, out = setup
    meta, img, cap = load_gallery(out)
    model = load_run(run).model.eval()
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
