"""The candidate detector (spaCy dependencies only) that defines which captions could get a negative of each rule."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from negative_candidates import attribute_kind, detect  # noqa: E402


@pytest.fixture(scope="module")
def rules_of():
    caps = [
        "A brown horse grazing in a green pasture.",
        "A man standing behind a fence.",
        "A woman wearing a hat while reading a book.",
        "A dog chasing a cat.",
        "A man walking with a dog.",
        "A man in a red shirt and a woman in a blue dress.",
        "Two dogs play.",
        "The dog is brown.",
        "A cup of coffee.",
        "Several other people.",
    ]
    return dict(zip(caps, detect(caps), strict=True))


def test_candidates_by_rule(rules_of):
    assert {"replace-att", "replace-rel", "replace-obj"} <= rules_of["A brown horse grazing in a green pasture."]
    assert "replace-rel" in rules_of["A man standing behind a fence."]  # a participle links man and fence
    assert "replace-rel" in rules_of["A woman wearing a hat while reading a book."]
    assert "swap-obj" in rules_of["A dog chasing a cat."]  # two animals, an asymmetric verb
    assert "swap-obj" not in rules_of["A man walking with a dog."]  # 'with' is symmetric, and man/dog differ in kind
    assert "swap-att" in rules_of["A man in a red shirt and a woman in a blue dress."]
    assert "count" in rules_of["Two dogs play."] and "replace-rel" not in rules_of["Two dogs play."]
    assert "replace-att" in rules_of["The dog is brown."]  # a predicate adjective
    assert "replace-rel" not in rules_of["A cup of coffee."]  # 'of' is an amount, not a relation
    assert "replace-att" not in rules_of["Several other people."]  # quantity words are not attributes


@pytest.mark.parametrize(("word", "kind"), [("red", "colour"), ("beige", "colour"), ("big", "size"),
                                            ("wooden", "material"), ("happy", None)])  # fmt: skip
def test_attribute_kinds(word, kind):
    assert attribute_kind(word) == kind


def test_draw_prints_a_seeded_sample_of_one_rules_candidates(tmp_path, capsys):
    import json

    from negative_candidates import main

    caps = ["A dog chasing a cat.", "Two dogs play.", "A man standing behind a fence.", "The dog is brown.",
            "A woman wearing a hat while reading a book.", "A cup of coffee."]  # fmt: skip
    path = tmp_path / "caps.txt"
    path.write_text("\n".join(caps) + "\n\n", encoding="utf-8")  # a blank line is skipped, not a caption
    draws = []
    for _ in range(2):
        assert main([str(path), "--draw", "replace-rel", "--n", "2", "--seed", "3"]) == 0
        draws.append([json.loads(x) for x in capsys.readouterr().out.splitlines()])
    assert draws[0] == draws[1] and len(draws[0]) == 2  # the same seed draws the same captions
    for row in draws[0]:
        assert caps[row["i"]] == row["caption"] and row["i"] in (0, 2, 4)  # only replace-rel candidates
    assert main([str(path), "--draw", "replace-rel", "--n", "10"]) == 0  # more than there are: all of them
    assert sorted(json.loads(x)["i"] for x in capsys.readouterr().out.splitlines()) == [0, 2, 4]


def test_bad_arguments_are_one_line_errors(tmp_path, capsys):
    from negative_candidates import main

    assert main([str(tmp_path / "missing.txt")]) == 2
    assert "missing.txt: no such file" in capsys.readouterr().err
    (tmp_path / "caps.txt").write_text("A dog chasing a cat.\n", encoding="utf-8")
    assert main([str(tmp_path / "caps.txt"), "--draw", "replace-rel", "--n", "0"]) == 2
    assert "--n must be at least 1" in capsys.readouterr().err
