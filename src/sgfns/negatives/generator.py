"""Generate validated caption negatives: the rules propose, the checks dispose, a seeded RNG chooses.

Deterministic: the choice for one caption depends only on the seed and that caption (not on its position in a
file), so a dataset's negatives can be computed in any order or in parallel and still be the same."""

from __future__ import annotations

import hashlib
import itertools
import random
from collections import Counter
from collections.abc import Generator as Coroutine
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sgfns.graphs.types import SceneGraph
from sgfns.negatives import checks
from sgfns.negatives.corpus import Corpus
from sgfns.negatives.rules import BUILDERS, RULES, Candidate, Context


@dataclass
class Negative:
    """One generated negative: the edited caption and its graph (spans in the edited caption), rule, edit."""

    caption: str
    negative: str
    graph: SceneGraph
    rule: str
    edit: dict[str, str]

    def record(self, image_id: Any = None, with_graph: bool = False) -> dict[str, Any]:
        rec: dict[str, Any] = {}
        if image_id is not None:
            rec["image_id"] = image_id
        rec.update({"caption": self.caption, "negative": self.negative, "rule": self.rule, "edit": dict(self.edit)})
        if with_graph:
            rec["graph"] = self.graph.to_dict()
        return rec


# one caption's generation: yields edited captions to re-parse, is sent their graphs, returns the negatives
Walk = Coroutine[str, SceneGraph, "list[Negative]"]


def caption_rng(seed: int, caption: str) -> random.Random:
    h = hashlib.sha256(f"{seed}\x00{caption}".encode()).digest()
    return random.Random(int.from_bytes(h[:8], "big"))


def _weighted_order(cands: list[Candidate], rng: random.Random) -> list[Candidate]:
    # Efraimidis–Spirakis: key u^(1/w), larger first — a weighted random permutation
    keyed = [(rng.random() ** (1.0 / max(c.weight, 1e-6)), i) for i, c in enumerate(cands)]
    return [cands[i] for _, i in sorted(keyed, reverse=True)]


class Generator:
    """`generate(caption, graph, other_captions)` -> validated negatives, at most `per_rule` per rule.

    `parser` (optional, anything with `.parse(text) -> SceneGraph`; its `.parse_batch(texts)` is used where it has
    one) enables the re-parse check: the edited caption must parse to a graph that shows the edited facts, otherwise
    the edit is ambiguous to a reader too. `generate_many` / `stream` batch the re-parse checks of many captions."""

    def __init__(
        self,
        rules: Sequence[str] = RULES,
        per_rule: int = 1,
        seed: int = 0,
        corpus: Corpus | None = None,
        parser: Any = None,
        max_checks: int = 12,
    ) -> None:
        unknown = [r for r in rules if r not in BUILDERS]
        if unknown:
            raise ValueError(f"unknown rule(s) {unknown}; known: {', '.join(RULES)}")
        self.rules = list(rules)
        self.per_rule = per_rule
        self.seed = seed
        self.corpus = corpus if corpus is not None else Corpus()
        self.parser = parser
        self.max_checks = max_checks  # candidates checked per rule and caption (re-parsing is the cost)
        self.rejected: Counter = Counter()  # (rule, reason) -> count over all calls
        self.proposed: Counter = Counter()

    def check(self, cand: Candidate, caption: str, others: Sequence[str], other_words: set[str]) -> str | None:
        """Why the candidate is rejected by the checks that need no parse, or None."""
        for old, new, pos in cand.lexical:
            reason = checks.lexical_relation(old, new, pos)
            if reason:
                return reason
        if cand.text == caption:
            return checks.EQUALS_OTHER
        reason = checks.equals_other_caption(cand.text, others)
        if reason:
            return reason
        replaced = [old for old, _, pos in cand.lexical if pos == "n"]
        return checks.mentioned_in_others(cand.new_words, other_words, cand.new_nouns, replaced)

    def generate(self, caption: str, graph: SceneGraph, others: Sequence[str] = ()) -> list[Negative]:
        return self.generate_many([(caption, graph, others)])[0]

    def generate_many(self, items: Iterable[tuple[str, SceneGraph, Sequence[str]]],
                      batch: int = 256) -> list[list[Negative]]:  # fmt: skip
        """`generate` for many (caption, graph, other captions): the same negatives (`stream`, collected)."""
        return list(self.stream(items, batch))

    def stream(self, items: Iterable[tuple[str, SceneGraph, Sequence[str]]],
               batch: int = 256) -> Iterator[list[Negative]]:  # fmt: skip
        """Each item's negatives, in order, a batch at a time: the re-parse checks of up to `batch` captions are
        parsed together (one caption's checks come one after another; parsing them one at a time cost most of the
        generator's time). Items are read lazily, so output can be written while the rest is generated."""
        it = iter(items)
        while chunk := list(itertools.islice(it, batch)):
            out: list[list[Negative]] = [[] for _ in chunk]
            walks = {i: self._walk(*item) for i, item in enumerate(chunk)}
            replies: dict[int, SceneGraph | None] = dict.fromkeys(walks)
            while walks:
                asked: dict[int, str] = {}
                for i, walk in walks.items():
                    try:
                        asked[i] = walk.send(replies[i])
                    except StopIteration as done:
                        out[i] = done.value
                walks = {i: walks[i] for i in asked}
                replies = dict(zip(asked, self._parse(list(asked.values())), strict=True))
            yield from out

    def _parse(self, texts: list[str]) -> list[SceneGraph]:
        if not texts:
            return []
        if hasattr(self.parser, "parse_batch"):
            return self.parser.parse_batch(texts)
        return [self.parser.parse(t) for t in texts]

    def _walk(self, caption: str, graph: SceneGraph, others: Sequence[str]) -> Walk:
        """One caption's negatives, yielding each edited caption that needs the re-parse check and receiving its
        graph (`generate_many` answers many captions' questions in one parse)."""
        others = list(others)
        rng = caption_rng(self.seed, caption)
        ctx = Context.make(caption, graph, self.corpus)
        other_words = checks.other_caption_words(others)
        out: list[Negative] = []
        seen = {caption}
        for rule in self.rules:
            cands = BUILDERS[rule](ctx)
            self.proposed[rule] += len(cands)
            kept = tried = 0
            for cand in _weighted_order(cands, rng):
                if kept >= self.per_rule or tried >= self.max_checks * self.per_rule:
                    break
                tried += 1
                if cand.text in seen:
                    continue
                if cand.keep < 1.0 and rng.random() >= cand.keep:
                    ctx.reject(rule, checks.UNBALANCED)
                    continue
                reason = self.check(cand, caption, others, other_words)
                if not reason and self.parser is not None and cand.expect:
                    reason = checks.reparse_consistent((yield cand.text), cand.expect)
                if reason:
                    ctx.reject(rule, reason)
                    continue
                seen.add(cand.text)
                out.append(Negative(caption, cand.text, cand.graph, rule, cand.edit))
                kept += 1
        self.rejected.update(ctx.rejected)
        return out
