"""Hard negatives that differ from a positive only in a small detail (docs/method.md#generated-negatives-and-l_neg).

Caption side: `Generator` applies the rules of `rules.RULES` to a caption and its *parsed* scene graph, editing the
string and the graph together, and keeps only candidates that pass the validity checks of `checks`. Image side:
`image.ImageNegativeSampler` edits visual graphs + region features + boxes aligned to the caption's graph.
`cache.caption_negatives_for` precomputes a split's caption negatives once, with their graphs."""

from sgfns.negatives.corpus import Corpus
from sgfns.negatives.generator import Generator, Negative
from sgfns.negatives.rules import CORE_RULES, RULES

__all__ = ["CORE_RULES", "Corpus", "Generator", "Negative", "RULES"]
