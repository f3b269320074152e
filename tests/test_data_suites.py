"""Suite files (docs/data_formats.md#3-evaluation-suites): broken records are refused by `sgfns data check` with
file, line and problem."""

import json

import pytest

from sgfns.data.dataset import load_split
from sgfns.data.suites import load_suites
from sgfns.data.toy import write_toy_dataset


@pytest.fixture
def toy(tmp_path):
    return write_toy_dataset(tmp_path / "toy", n_images=8, captions_per_image=2, regions=4, feature_dim=8,
                             splits=("val",))  # fmt: skip


def _edit(path, lineno, fn):
    lines = path.read_text().splitlines()
    rec = json.loads(lines[lineno - 1])
    fn(rec)
    lines[lineno - 1] = json.dumps(rec)
    path.write_text("\n".join(lines) + "\n")


def _first_twin_positive(r):
    """Point the first twin record at an image the caption is true of (its own)."""
    _edit(r / "val_twins.jsonl", 1, lambda t: t.update(twin=t["image"]))


CASES = {
    "category": (
        lambda r: _edit(r / "val_compositional.jsonl", 2, lambda x: x.update(category="colour")),
        "val_compositional.jsonl:2: unknown category 'colour'; expected one of replace-obj",
    ),
    "caption text": (
        lambda r: _edit(r / "val_compositional.jsonl", 3, lambda x: x.update(caption_index=0)),
        "val_compositional.jsonl:3: caption differs from caption 0 (val_caps.txt)",
    ),
    "index range": (
        lambda r: _edit(r / "val_compositional.jsonl", 1, lambda x: x.update(image=8)),
        "val_compositional.jsonl:1: 'image' 8 out of range (0..7)",
    ),
    "index type": (
        lambda r: _edit(r / "val_compositional.jsonl", 1, lambda x: x.update(caption_index="0")),
        "val_compositional.jsonl:1: 'caption_index' must be an integer index, got '0'",
    ),
    "wrong image": (
        lambda r: _edit(r / "val_compositional.jsonl", 1, lambda x: x.update(image=5)),
        "val_compositional.jsonl:1: caption 0 is not a caption of image 5",
    ),
    "negative equals caption": (
        lambda r: _edit(r / "val_compositional.jsonl", 4, lambda x: x.update(negative=x["caption"])),
        "val_compositional.jsonl:4: negative is identical to the caption",
    ),
    "missing key": (
        lambda r: _edit(r / "val_compositional.jsonl", 2, lambda x: x.pop("negative")),
        "val_compositional.jsonl:2: missing key(s) negative",
    ),
    "twin is a positive": (_first_twin_positive, "val_twins.jsonl:1: twin"),
    "twin range": (
        lambda r: _edit(r / "val_twins.jsonl", 1, lambda x: x.update(twin=-1)),
        "val_twins.jsonl:1: 'twin' -1 out of range (0..7)",
    ),
    "gt order": (
        lambda r: _edit(r / "val_gt.jsonl", 2, lambda x: x.update(image=3)),
        "val_gt.jsonl:2: image 3 out of order (expected 1: one record per image)",
    ),
    "gt caption count": (
        lambda r: _edit(r / "val_gt.jsonl", 2, lambda x: x["captions"].pop()),
        "val_gt.jsonl:2: 'captions' must be a list of 2 records, got 1",
    ),
    "gt caption text": (
        lambda r: _edit(r / "val_gt.jsonl", 1, lambda x: x["captions"].reverse()),
        "val_gt.jsonl:1: captions[0] differs from caption 0 (val_caps.txt)",
    ),
    "gt graph": (
        lambda r: _edit(r / "val_gt.jsonl", 6, lambda x: x["graph"]["relations"][0].update(subject=9)),
        "val_gt.jsonl:6: graph: relations[0].subject index 9 out of range",
    ),
    "gt records": (
        lambda r: (r / "val_gt.jsonl").write_text("\n".join((r / "val_gt.jsonl").read_text().splitlines()[:7]) + "\n"),
        "val_gt.jsonl: 7 records but the split has 8 images",
    ),
    "not JSON": (
        lambda r: (r / "val_twins.jsonl").write_text('{"caption_index": 0,\n'),
        "val_twins.jsonl:1: not valid JSON",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_suite_record(cli, toy, case):
    mutate, message = CASES[case]
    mutate(toy)
    rc, out, err = cli("data", "check", toy)
    assert rc == 2, (out, err)
    assert err.count("\n") == 1 and message in err, err


def test_suites_read_as_dataclasses(toy, cli):
    sp = load_split(toy, "val")
    suites = load_suites(sp)
    assert suites.present() == ["gt", "compositional", "twins"]
    item = suites.compositional[3]
    assert item.caption == sp.captions[item.caption_index] and item.image == item.caption_index // 2
    rc, out, err = cli("data", "check", toy)
    assert rc == 0 and f"compositional: {len(suites.compositional)} records (" in out
    assert f"twins: {len(suites.twins)} records" in out


def test_extra_keys_are_allowed(toy):
    _edit(toy / "val_compositional.jsonl", 1, lambda x: x.update(rule="replace-att/colour"))
    assert load_suites(load_split(toy, "val")).compositional[0].category
