"""Vocabulary and the text processor (tokenizer + vocabulary) saved in every run folder as `vocab.json`.

Graph labels (object names, attributes, predicates) are tokenized with the same tokenizer and looked up in the
same vocabulary, so "in front of" is three words and a label embedding is the mean of its word embeddings. Words
not in the vocabulary map to `<unk>`: a run trained on one dataset can score captions of another."""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sgfns.errors import UserError
from sgfns.io import read_json, write_json
from sgfns.text.tokenizer import TOKENIZER_NAME, TOKENIZER_VERSION, span_to_tokens, tokenize, words

PAD, UNK = "<pad>", "<unk>"
PAD_ID, UNK_ID = 0, 1


@dataclass
class Vocab:
    itos: list[str]

    def __post_init__(self) -> None:
        if self.itos[:2] != [PAD, UNK]:
            raise ValueError("a vocabulary starts with <pad>, <unk>")
        self.stoi = {w: i for i, w in enumerate(self.itos)}

    def __len__(self) -> int:
        return len(self.itos)

    def id(self, word: str) -> int:
        return self.stoi.get(word, UNK_ID)

    @classmethod
    def build(cls, texts: Iterable[str], min_freq: int = 1) -> Vocab:
        counts: Counter[str] = Counter()
        for t in texts:
            counts.update(words(t))
        kept = sorted(w for w, c in counts.items() if c >= min_freq)
        return cls([PAD, UNK, *kept])


def label_hash(label: str) -> int:
    """Stable integer id of a label string (symbolic matching compares these; never 0, which marks padding)."""
    return zlib.crc32(" ".join(words(label)).encode("utf-8")) + 1


class TextProcessor:
    """Tokenizer + vocabulary: captions to ids with character spans, labels to word ids."""

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab

    def encode(self, text: str) -> tuple[list[int], list[tuple[int, int]]]:
        toks = tokenize(text)
        if not toks:
            return [UNK_ID], [(0, len(text))]
        return [self.vocab.id(t) for t, _, _ in toks], [(s, e) for _, s, e in toks]

    def label_ids(self, label: str) -> list[int]:
        ids = [self.vocab.id(w) for w in words(label)]
        return ids or [UNK_ID]

    def knows(self, label: str) -> bool:
        """Whether any word of `label` (an object name) is in the vocabulary: a graph none of whose objects is
        known encodes to <unk> nodes only, and its scores rank images by noise."""
        return any(self.vocab.id(w) != UNK_ID for w in words(label))

    def known_share(self, texts: Iterable[str]) -> float:
        """Share of the word tokens of `texts` that are in the vocabulary (1.0 for no tokens): how much of a
        dataset's language a run trained on another one can read."""
        n = known = 0
        for text in texts:
            for tok, _, _ in tokenize(text):
                n += 1
                known += self.vocab.id(tok) != UNK_ID
        return known / n if n else 1.0

    @staticmethod
    def span_tokens(spans: list[tuple[int, int]], start: int, end: int) -> tuple[int, int] | None:
        return span_to_tokens(spans, start, end)

    # --- persistence ------------------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {"tokenizer": {"name": TOKENIZER_NAME, "version": TOKENIZER_VERSION}, "words": self.vocab.itos}

    def save(self, path: str | Path) -> None:
        write_json(path, self.to_dict())

    @classmethod
    def load(cls, path: str | Path) -> TextProcessor:
        d = read_json(path)
        tok = d.get("tokenizer", {}) if isinstance(d, dict) else {}
        if tok.get("name") != TOKENIZER_NAME or tok.get("version") != TOKENIZER_VERSION:
            raise UserError(
                f"{path}: tokenizer {tok.get('name')}@{tok.get('version')} is not supported by this version "
                f"(expected {TOKENIZER_NAME}@{TOKENIZER_VERSION})"
            )
        return cls(Vocab(list(d["words"])))

    @classmethod
    def build(cls, captions: Iterable[str], graphs: Iterable | None = None, min_freq: int = 1) -> TextProcessor:
        """Vocabulary from training captions plus every label of the given scene graphs (image and caption)."""
        texts = list(captions)
        for g in graphs or []:
            if g is None:
                continue
            for o in g.objects:
                texts.append(o.name)
                texts.extend(o.attributes)
            texts.extend(r.predicate for r in g.relations)
        return cls(Vocab.build(texts, min_freq=min_freq))
