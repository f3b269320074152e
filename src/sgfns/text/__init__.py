"""Text processing saved with every model: the tokenizer and the vocabulary (docs/method.md#text-processing)."""

from sgfns.text.tokenizer import TOKENIZER_NAME, TOKENIZER_VERSION, tokenize
from sgfns.text.vocab import PAD, UNK, TextProcessor, Vocab

__all__ = ["PAD", "TOKENIZER_NAME", "TOKENIZER_VERSION", "TextProcessor", "UNK", "Vocab", "tokenize"]
