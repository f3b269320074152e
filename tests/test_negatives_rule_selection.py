"""`neg.rules` selects which generated caption negatives train (the cache always holds every rule's), so a
rule-family ablation trains on the same negatives minus one family; an unknown rule is a user error."""

from __future__ import annotations

import pytest

from sgfns.errors import UserError
from sgfns.losses.generated import build_term


@pytest.fixture(scope="module")
def inputs(tmp_path_factory, toy_inputs):
    return toy_inputs(tmp_path_factory.mktemp("toysel"))


def _cfg(rules):
    return type("Cfg", (), dict(weight=1.0, margin=0.2, rules=rules, per_positive=1, text_side=True,
                                image_side=False))()  # fmt: skip


def _rules_of(term):
    return [sorted({term.neg_items[i].text for i in idx}) for idx in term.neg_of]


def test_subset_is_the_full_set_filtered(inputs):
    full = build_term(_cfg([]), inputs, seed=0)
    texts_full = [[full.neg_items[i] for i in idx] for idx in full.neg_of]
    assert sum(map(len, texts_full)) > 0
    keep = ["replace-obj", "replace-att"]
    part = build_term(_cfg(keep), inputs, seed=0)
    assert len(part.neg_of) == len(full.neg_of)
    n_full = sum(map(len, full.neg_of))
    n_part = sum(map(len, part.neg_of))
    assert 0 < n_part < n_full
    # every kept negative is one the full run has for the same caption, in the same order
    for idx_p, idx_f in zip(part.neg_of, full.neg_of, strict=True):
        tp = [part.neg_items[i].tokens for i in idx_p]
        tf = [full.neg_items[i].tokens for i in idx_f]
        it = iter(tf)
        assert all(any(t == u for u in it) for t in tp)


def test_unknown_rule_is_a_user_error(inputs):
    with pytest.raises(UserError, match="neg.rules: unknown rule 'swap-everything'"):
        build_term(_cfg(["replace-obj", "swap-everything"]), inputs, seed=0)
