"""Caption-graph cache (docs/parser.md) and the `sgfns parse` / `sgfns eval-parser` commands."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("spacy")

CAPS = ["a dog on a mat", "two cats on a sofa", "a man riding a horse", "a red car", "a bird in a tree"]


@pytest.fixture(scope="module")
def parser():
    from sgfns.graphs.parser import load_parser

    return load_parser()


def make_split(tmp_path, caps=CAPS):
    from sgfns.data.dataset import load_split

    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "val_caps.txt").write_text("".join(c + "\n" for c in caps), encoding="utf-8")
    (tmp_path / "val_ids.txt").write_text("a\n", encoding="utf-8")
    return load_split(tmp_path, "val", load_graphs=False)


class CountingParser:
    def __init__(self, inner, version=None):
        self.inner, self.calls = inner, 0
        self.version = version or inner.version

    def parse_batch(self, texts, **kw):
        self.calls += 1
        return self.inner.parse_batch(texts, **kw)


def test_cache_written_reused_and_rebuilt(tmp_path, parser, monkeypatch):
    from sgfns.graphs.cache import caption_graphs_for

    monkeypatch.setenv("SGFNS_CACHE_DIR", str(tmp_path / "usercache"))
    sp = make_split(tmp_path / "d")
    p = CountingParser(parser)
    g1 = caption_graphs_for(sp, parser=p)
    assert p.calls == 1 and len(g1) == len(CAPS)
    meta = json.loads((tmp_path / "d" / "val_caps_sg.meta.json").read_text())
    assert meta["source"] == f"parser@{parser.version}"
    g2 = caption_graphs_for(sp, parser=p)
    assert p.calls == 1, "a fresh cache must not be re-parsed"
    assert [g.to_dict() for g in g1] == [g.to_dict() for g in g2]
    # new parser version -> rebuilt
    p2 = CountingParser(parser, version="rules-999")
    caption_graphs_for(sp, parser=p2)
    assert p2.calls == 1
    assert json.loads((tmp_path / "d" / "val_caps_sg.meta.json").read_text())["source"] == "parser@rules-999"
    # changed captions -> rebuilt
    sp2 = make_split(tmp_path / "d", CAPS[:4] + ["a blue boat"])
    g3 = caption_graphs_for(sp2, parser=p2)
    assert p2.calls == 2 and g3[4].objects[0].name == "boat"
    # the loader accepts the cache it wrote
    from sgfns.data.dataset import load_split

    assert load_split(tmp_path / "d", "val").caption_graph_source == "parser@rules-999"


def test_provided_graphs_are_used_and_never_overwritten(tmp_path, parser, monkeypatch):
    from sgfns.data.dataset import captions_sha256
    from sgfns.graphs.cache import caption_graphs_for

    monkeypatch.setenv("SGFNS_CACHE_DIR", str(tmp_path / "usercache"))
    sp = make_split(tmp_path / "d")
    lines = "".join(json.dumps({"objects": [{"name": f"thing{i}"}], "relations": []}) + "\n" for i in range(5))
    (tmp_path / "d" / "val_caps_sg.jsonl").write_text(lines)
    meta = {"source": "provided", "captions_sha256": captions_sha256(CAPS)}
    (tmp_path / "d" / "val_caps_sg.meta.json").write_text(json.dumps(meta))
    p = CountingParser(parser)
    assert caption_graphs_for(sp, parser=p)[0].objects[0].name == "thing0"
    assert caption_graphs_for(sp, mode="provided", parser=p)[3].objects[0].name == "thing3"
    assert p.calls == 0
    parsed = caption_graphs_for(sp, mode="parser", parser=p)
    assert p.calls == 1 and parsed[0].objects[0].name == "dog"
    assert (tmp_path / "d" / "val_caps_sg.jsonl").read_text() == lines, "provided graphs were overwritten"
    assert json.loads((tmp_path / "d" / "val_caps_sg.meta.json").read_text())["source"] == "provided"
    assert list((tmp_path / "usercache").rglob("val_caps_sg.jsonl"))


def test_provided_mode_without_graphs_is_a_user_error(tmp_path, parser):
    from sgfns.errors import UserError
    from sgfns.graphs.cache import caption_graphs_for

    with pytest.raises(UserError, match="no provided caption graphs"):
        caption_graphs_for(make_split(tmp_path), mode="provided", parser=parser)


def test_unwritable_data_folder_uses_user_cache(tmp_path, parser, monkeypatch):
    import sgfns.graphs.cache as cache

    monkeypatch.setenv("SGFNS_CACHE_DIR", str(tmp_path / "usercache"))
    d = tmp_path / "d"
    sp = make_split(d)
    real_write = cache._write

    def write(gp, *a, **kw):  # behaves like a read-only data folder (tests may run as root, where chmod is moot)
        if gp.parent == d:
            raise PermissionError(13, "Permission denied", str(gp))
        return real_write(gp, *a, **kw)

    monkeypatch.setattr(cache, "_write", write)
    p = CountingParser(parser)
    cache.caption_graphs_for(sp, parser=p)
    assert not (d / "val_caps_sg.jsonl").exists()
    assert list((tmp_path / "usercache").rglob("val_caps_sg.jsonl"))
    cache.caption_graphs_for(sp, parser=p)
    assert p.calls == 1, "the user cache must be reused"


def test_cli_parse_line_count_and_odd_input(tmp_path, cli):
    raw = (
        b"a dog on a mat\n"
        b"\n"
        b"bad bytes \xff\xfe here\n"
        + b"a cat " * 1700 + b"\n"
        + "emoji \U0001F436 dog\u2028 on a bed\r\n".encode()
        + b"last line without newline"
    )  # fmt: skip
    src = tmp_path / "in.txt"
    src.write_bytes(raw)
    out = tmp_path / "out.jsonl"
    rc, _, err = cli("parse", src, "-o", out)
    assert rc == 0, err
    lines = out.read_text(encoding="utf-8").split("\n")
    assert lines[-1] == ""
    recs = [json.loads(x) for x in lines[:-1]]
    assert len(recs) == 6
    assert recs[0]["caption"] == "a dog on a mat" and recs[0]["relations"][0]["predicate"] == "on"
    assert recs[1] == {"caption": "", "objects": [], "relations": []}
    assert "\ufffd" in recs[2]["caption"]
    assert len(recs[3]["caption"]) > 10_000
    assert "\u2028" in recs[4]["caption"]
    from sgfns.graphs.types import SceneGraph

    for r in recs:
        cap = r.pop("caption")
        SceneGraph.from_dict(r, caption=cap)


def test_cli_parse_factual_stdin_stdout(cli, monkeypatch, capsys):
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"two dogs on the grass\n\n")))
    rc, out, err = cli("parse", "-", "--format", "factual")
    assert rc == 0, err
    assert out.split("\n") == ["( dogs , on , grass ) , ( dogs , is , 2 )", "", ""]


def test_cli_parse_missing_input(cli, tmp_path):
    rc, _, err = cli("parse", tmp_path / "nope.txt")
    assert rc == 2 and "nope.txt" in err and "not found" in err


def test_cli_eval_parser(cli, tmp_path):
    gold = tmp_path / "g.csv"
    gold.write_text(
        "image_id,region_id,caption,scene_graph\n"
        '1,1,a dog on the grass,"( dog , on , grass )"\n'
        '2,2,a white cat,"( cat , is , white )"\n'
    )
    rc, out, err = cli("eval-parser", "--gold", gold, "--json", tmp_path / "m.json")
    assert rc == 0, err
    m = json.loads((tmp_path / "m.json").read_text())
    assert m["n"] == 2 and m["spice_f"] == 100.0 and m["set_match"] == 100.0 and m["relation_f"] == 100.0
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    rc, _, err = cli("eval-parser", "--gold", bad)
    assert rc == 2 and "bad.csv" in err and "caption" in err


def test_provided_meta_without_graphs_is_left_alone(tmp_path, parser, monkeypatch):
    from sgfns.graphs.cache import caption_graphs_for

    monkeypatch.setenv("SGFNS_CACHE_DIR", str(tmp_path / "usercache"))
    sp = make_split(tmp_path / "d")
    meta = tmp_path / "d" / "val_caps_sg.meta.json"
    meta.write_text(json.dumps({"source": "provided"}))
    graphs = caption_graphs_for(sp, parser=parser)  # auto: nothing provided to read, so parse
    assert graphs[0].objects[0].name == "dog"
    assert json.loads(meta.read_text()) == {"source": "provided"}
    assert not (tmp_path / "d" / "val_caps_sg.jsonl").exists()


def test_cli_parse_unwritable_output_is_a_user_error(cli, tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("a dog\n")
    rc, _, err = cli("parse", src, "-o", tmp_path)  # a directory
    assert rc == 2 and "cannot write" in err
