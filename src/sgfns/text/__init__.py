"""Text: the processing saved with every model (tokenizer, vocabulary: docs/method.md#text-processing) and the English
word knowledge the parser and the negative generator share (lexicon, lemmas, inflection, word lists: docs/text.md)."""

from sgfns.text.tokenizer import TOKENIZER_NAME, TOKENIZER_VERSION, tokenize
from sgfns.text.vocab import PAD, UNK, TextProcessor, Vocab

__all__ = ["PAD", "TOKENIZER_NAME", "TOKENIZER_VERSION", "TextProcessor", "UNK", "Vocab", "tokenize"]
