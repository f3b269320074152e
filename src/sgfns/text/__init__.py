"""Text processing saved with every model: the tokenizer and the vocabulary (DESIGN §2.1)."""

from sgfns.text.tokenizer import TOKENIZER_NAME, TOKENIZER_VERSION, tokenize
from sgfns.text.vocab import PAD, UNK, TextProcessor, Vocab

__all__ = ["PAD", "TOKENIZER_NAME", "TOKENIZER_VERSION", "TextProcessor", "UNK", "Vocab", "tokenize"]
