"""Load pickles that are only data, never code.

`pickle.load` on a file from the internet runs whatever the file asks for (`__reduce__` can name `os.system`).
Research datasets still ship as pickles (LGSGM's `.joblib` files are plain protocol-3 pickles), so they are read
with an unpickler whose `find_class` refuses every global: only what the pickle opcodes build natively passes
(dict, list, tuple, str, bytes, int, float, bool, None), plus `set`/`frozenset` and `bytes`, which old protocols
can only express by naming a builtin (each mapped to a function that builds data and nothing else). Nothing named
in the file is imported or called."""

from __future__ import annotations

import io
import os
import pickle
from pathlib import Path
from typing import Any

from sgfns.errors import UserError


def _latin1_bytes(text: str, encoding: str) -> bytes:
    """Protocols 0-2 write `bytes` as `_codecs.encode(text, "latin1")`; no other codec is accepted."""
    if encoding != "latin1" or not isinstance(text, str):
        raise UnsafePickleError(f"refused _codecs.encode with encoding {encoding!r}")
    return text.encode("latin1")


def _empty_bytes(*args: Any) -> bytes:
    """Protocols 0-2 write `b""` as `builtins.bytes()`; any argument is refused."""
    if args:
        raise UnsafePickleError("refused builtins.bytes with arguments")
    return b""


# The only globals a data-only pickle may name: protocols 0-3 express sets, and protocols 0-2 bytes, only by
# naming a builtin. Each maps to a function that can build data and nothing else.
ALLOWED_GLOBALS = {
    ("builtins", "set"): set,
    ("builtins", "frozenset"): frozenset,
    ("__builtin__", "set"): set,
    ("__builtin__", "frozenset"): frozenset,
    ("_codecs", "encode"): _latin1_bytes,
    ("builtins", "bytes"): _empty_bytes,
    ("__builtin__", "bytes"): _empty_bytes,
}


class UnsafePickleError(UserError):
    """The pickle names a class or function; it was refused before anything ran."""


class RestrictedUnpickler(pickle.Unpickler):
    def __init__(self, file, *, source: str = "pickle") -> None:
        super().__init__(file)
        self.source = source

    def find_class(self, module: str, name: str) -> Any:
        allowed = ALLOWED_GLOBALS.get((module, name))
        if allowed is not None:
            return allowed
        raise UnsafePickleError(
            f"{self.source}: refused to load '{module}.{name}': only plain data (dicts, lists, tuples, strings, "
            "numbers, booleans, None) is allowed in a pickle; nothing was executed"
        )

    def persistent_load(self, pid: Any) -> Any:
        raise UnsafePickleError(f"{self.source}: refused a persistent reference ({pid!r}); only plain data is allowed")


def safe_loads(data: bytes, *, source: str = "pickle") -> Any:
    """Unpickle `data` allowing builtin containers, strings and numbers only."""
    try:
        return RestrictedUnpickler(io.BytesIO(data), source=source).load()
    except UnsafePickleError:
        raise
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, IndexError, KeyError, AttributeError,
            OverflowError, MemoryError, RecursionError) as e:  # fmt: skip
        problem = " ".join(str(e).split())[:200]
        raise UserError(f"{source}: not a readable pickle ({type(e).__name__}: {problem})") from None


def safe_load(path: str | os.PathLike) -> Any:
    """`safe_loads` of a file; a missing file or a compressed joblib file is a UserError naming the file."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"{path}: file not found")
    data = path.read_bytes()
    if data[:2] in (b"\x1f\x8b", b"BZ", b"\xfd7") or data[:4] == b"\x28\xb5\x2f\xfd":
        raise UserError(f"{path}: compressed file (gzip/bz2/xz/zstd); decompress it to a plain pickle first")
    return safe_loads(data, source=str(path))
