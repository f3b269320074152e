"""The learned parser: edits applied as documented on hand-made weights, the shipped weights' provenance, safe
loading, and what the shipped edits change on captions the rules get wrong."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from sgfns.errors import UserError

pytest.importorskip("spacy")

ROOT = Path(__file__).resolve().parents[1]
RESOURCES = ROOT / "src" / "sgfns" / "resources"


def _edits(**parts):
    from sgfns.graphs.parser.learned import Edits, no_edits

    data = no_edits()
    for key, value in parts.items():
        data[key] = value
    return Edits(data, sha256="0" * 64)


@pytest.fixture(scope="module")
def rules():
    from sgfns.graphs.parser import load_parser

    return load_parser(backend="rules")


def _graph(rules, edits, text):
    doc = rules.nlp(text)
    return edits.apply(doc, rules.backend.graph(doc))


def test_name_model_joins_modifiers_it_scores_above_half(rules):
    assert [(o.name, o.attributes) for o in rules.parse("a white stone wall").objects] == [("stone wall", ["white"])]
    split = _edits(names={"weights": {"b": -5.0}})
    g = _graph(rules, split, "a white stone wall")
    assert [(o.name, sorted(o.attributes)) for o in g.objects] == [("wall", ["stone", "white"])]
    join = _edits(names={"weights": {"m=leather": 10.0, "b": -5.0}})
    g = _graph(rules, join, "a leather couch near a stone wall")
    assert [(o.name, o.attributes) for o in g.objects] == [("leather couch", []), ("wall", ["stone"])]


def test_predicate_rewrite_specific_key_first_and_reversal(rules):
    e = _edits(predicates={"rewrite": {"cover with": "<cover", "sit on|bench": "on", "sit on": "rest on"}})
    assert set(_graph(rules, e, "the bench is covered with snow").triples()) == {("snow", "cover", "bench")}
    assert set(_graph(rules, e, "a dog sitting on a bench").triples()) == {("dog", "on", "bench")}
    assert set(_graph(rules, e, "a dog sitting on a mat").triples()) == {("dog", "rest on", "mat")}


def test_drops_only_what_the_tables_name(rules):
    e = _edits(attributes={"drop": ["large"]}, objects={"drop": ["scene"], "rename": {"guy": "person"}})
    g = _graph(rules, e, "a large white dog in a scene")
    dog = [o for o in g.objects if o.name == "dog"][0]
    assert dog.attributes == ["white"]
    assert "scene" in [o.name for o in g.objects], "an object in a relation is never dropped"
    assert [o.name for o in _graph(rules, e, "the scene").objects] == []


def test_adjacent_pattern_adds_the_missing_relation(rules):
    base = rules.parse("stick lying on the ground")
    assert not base.relations  # the tagger reads "stick" as a verb
    e = _edits(relations={"drop": [], "adjacent": {"lying on|00": "lay on"}})
    assert set(_graph(rules, e, "stick lying on the ground").triples()) == {("stick", "lay on", "ground")}


@pytest.mark.parametrize(
    "text, triples, attrs",
    [
        ("stool man is sitting on", {("man", "sit on", "stool")}, {}),
        ("ocean wave man is surfing on .", {("man", "surf on", "wave")}, {"wave": ["ocean"]}),
        ("sand boats and people are on", {("boat", "on", "sand"), ("people", "on", "sand")}, {}),
        ("rope the man is holding", {("man", "hold", "rope")}, {}),
    ],
)
def test_fronted_object_is_read_as_the_final_words_object(rules, text, triples, attrs):
    from sgfns.graphs.parser.learned import LearnedBackend

    backend = LearnedBackend(_edits())
    backend.use_pipeline(rules.nlp)
    g = backend.graph(rules.nlp(text))
    assert set(g.triples()) == triples
    for o in g.objects:  # spans index the original caption, not the re-ordered one
        assert text[o.span[0] : o.span[1]].lower().startswith(o.name.split()[-1][:3])
        assert o.attributes == attrs.get(o.name, [])


def test_captions_not_fronted_are_left_to_the_rules(rules):
    from sgfns.graphs.parser.learned import fronted_split

    for text in (
        "a man sitting on a bench",
        "the man is sitting",
        "a dog on",
        "the hitter has a helmet on",
        "sports fans are tailgating",  # a final verb with no object at all
        "a procession is marching on the street while people are watching",
        "a man with a suit and a woman with a stroller are walking",
    ):
        doc = rules.nlp(text)
        assert fronted_split(doc) is None, text


def test_predicate_keyed_by_the_verb_the_rules_left_out(rules):
    assert set(rules.parse("a boy looks happy at the ocean").triples()) == {("boy", "at", "ocean")}
    e = _edits(predicates={"rewrite": {"at|v:look": "look at", "at|v:stare": "stare"}})
    assert set(_graph(rules, e, "a boy looks happy at the ocean").triples()) == {("boy", "look at", "ocean")}
    assert set(_graph(rules, e, "a boy at the ocean").triples()) == {("boy", "at", "ocean")}


def test_adjacent_verb_pattern_fills_in_the_verb(rules):
    assert rules.parse("dog chasing ball").relations == []  # "chasing" read as an adjective of "ball"
    e = _edits(relations={"drop": [], "adjacent": {"V|V": "V"}})
    assert set(_graph(rules, e, "dog chasing ball").triples()) == {("dog", "chase", "ball")}
    assert set(_graph(rules, e, "lady holding baby").triples()) == {("lady", "hold", "baby")}
    assert set(_graph(rules, e, "pole holding power lines").triples()) == {("pole", "hold", "line")}  # no name model


def test_shipped_weights_record_their_training_data():
    from sgfns.graphs.parser.learned import load_edits

    edits = load_edits()
    assert edits.sha256 == hashlib.sha256((RESOURCES / "parser_edits.json").read_bytes()).hexdigest()
    meta = edits.meta
    assert meta["file"] == "random_train.csv" and len(meta["file_sha256"]) == 64
    held = RESOURCES / "factual_heldout_ids.txt"
    assert meta["heldout_ids_sha256"] == hashlib.sha256(held.read_bytes()).hexdigest()
    assert meta["captions_set_apart"] == 2000 and meta["captions_used"] == 37861 - 2000


def test_version_names_the_weights():
    from sgfns.graphs.parser import load_parser
    from sgfns.graphs.parser.learned import EDITS_VERSION

    p = load_parser(backend="learned")
    assert p.weights_sha256 and p.version.startswith(f"edits-{EDITS_VERSION}@{p.weights_sha256[:12]}+rules-")
    assert load_parser(backend="rules").weights_sha256 is None
    with pytest.raises(UserError, match="unknown parser backend"):
        load_parser(backend="neural")


def test_bad_weights_file_is_a_clear_error(tmp_path):
    from sgfns.graphs.parser.learned import load_edits

    bad = tmp_path / "edits.json"
    bad.write_text("{not json")
    with pytest.raises(UserError, match="not valid JSON"):
        load_edits(bad)
    bad.write_text(json.dumps({"names": {"weights": {}}}))
    with pytest.raises(UserError, match="missing or malformed key"):
        load_edits(bad)
    with pytest.raises(UserError, match="cannot read"):
        load_edits(tmp_path / "absent.json")


def test_shipped_edits_fix_known_rule_errors():
    from sgfns.graphs.parser import load_parser

    p = load_parser(backend="learned")
    assert ("snow", "cover", "bench") in set(p.parse("the bench is covered with snow").triples())
    assert ("stick", "lay on", "ground") in set(p.parse("stick lying on the ground").triples())


def test_cache_made_with_other_weights_is_reparsed(tmp_path, rules, monkeypatch):
    from sgfns.data.dataset import load_split
    from sgfns.graphs.cache import caption_graphs_for
    from sgfns.graphs.parser import CaptionParser
    from sgfns.graphs.parser.learned import Edits, LearnedBackend, load_edits, no_edits

    monkeypatch.setenv("SGFNS_CACHE_DIR", str(tmp_path / "usercache"))
    (tmp_path / "val_caps.txt").write_text("stick lying on the ground\na dog on a mat\n", encoding="utf-8")
    (tmp_path / "val_ids.txt").write_text("a\n", encoding="utf-8")
    split = load_split(tmp_path, "val", load_graphs=False)
    shipped = load_edits()
    empty = Edits(no_edits(), "f" * 64)
    a = CaptionParser(rules.nlp, LearnedBackend(shipped), rules.model_name)
    b = CaptionParser(rules.nlp, LearnedBackend(empty), rules.model_name)
    assert a.version != b.version
    ga = caption_graphs_for(split, mode="parser", parser=a)
    meta = json.loads((tmp_path / "val_caps_sg.meta.json").read_text())
    assert meta["source"] == f"parser@{a.version}" and meta["parser_weights_sha256"] == shipped.sha256
    gb = caption_graphs_for(split, mode="parser", parser=b)
    meta = json.loads((tmp_path / "val_caps_sg.meta.json").read_text())
    assert meta["parser_weights_sha256"] == "f" * 64
    assert ga[0].triples() == [("stick", "lay on", "ground")] and gb[0].triples() == []
