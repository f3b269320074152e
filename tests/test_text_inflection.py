"""Verb forms the caption negatives write come from lemminflect (`sgfns.text.inflection`): irregular pasts and doubled
consonants that the former hand rules got wrong for verbs of the contrast tables ("feeded", "squating") are right,
and the forms they already got right stay as they were."""

from __future__ import annotations

import pytest

from sgfns.text import inflection


@pytest.mark.parametrize(
    ("verb", "past"),
    [("feed", "fed"), ("go", "went"), ("keep", "kept"), ("leave", "left"), ("put", "put"), ("sleep", "slept"),
     ("swim", "swam"), ("be", "was"), ("ride", "rode"), ("sit", "sat"), ("lean", "leaned"), ("park", "parked")],
)  # fmt: skip
def test_past_forms(verb, past):
    assert inflection.past(verb) == past


@pytest.mark.parametrize(
    ("verb", "gerund"),
    [("squat", "squatting"), ("chat", "chatting"), ("stir", "stirring"), ("lie", "lying"), ("ski", "skiing"),
     ("ride", "riding"), ("see", "seeing"), ("run", "running")],
)  # fmt: skip
def test_gerunds(verb, gerund):
    assert inflection.gerund(verb) == gerund


def test_third_person_and_inflect_keep_the_token_form():
    assert [inflection.third_person(v) for v in ("be", "have", "watch", "carry", "go")] == [
        "is", "has", "watches", "carries", "goes"]  # fmt: skip
    assert inflection.inflect("Stand", inflection.verb_form_of("sat")) == "stood"
    assert inflection.inflect("walk", inflection.verb_form_of("riding")) == "walking"
    assert inflection.is_verb_lemma_of("fed", "feed")
