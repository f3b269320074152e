"""File IO shared by every stage: atomic writes and JSON Lines with line-numbered errors."""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import json
import os
import signal
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from sgfns.errors import UserError, located


@functools.cache
def _umask_mode() -> int:
    """The permissions a plain `open(path, "w")` would give (mkstemp's temporary files are 0600). Read once:
    `os.umask` can only be read by setting it, which is not thread-safe."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


FAULT_ENV = "SGFNS_FAULT"
_writes_seen = 0


def _fault_point(path: Path) -> None:
    """Fault injection for the tests of interrupted work, read from `$SGFNS_FAULT` (unset in normal use).

    `kill:N` (SIGKILL), `interrupt:N` (KeyboardInterrupt) or `enospc:N` (OSError "no space left on device") hits
    the Nth atomic write of this process after its data is in the temporary file and before the rename — the
    moment a crash or a full disk would leave a half-written file if writes were not atomic."""
    spec = os.environ.get(FAULT_ENV)
    if not spec:
        return
    global _writes_seen
    _writes_seen += 1
    kind, _, n = spec.partition(":")
    if not n.isdigit() or _writes_seen != int(n):
        return
    if kind == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if kind == "interrupt":
        raise KeyboardInterrupt
    if kind == "enospc":
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[Any]:
    """Write to a temporary file beside `path` and rename it over `path` only when the block succeeds.

    A crash or an exception leaves whatever was at `path` untouched."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, encoding=None if "b" in mode else encoding) as f:
            yield f
            f.flush()
            _fault_point(path)
            os.fsync(f.fileno())
        os.chmod(tmp, _umask_mode())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_save(path: str | os.PathLike, save_fn) -> None:
    """Call `save_fn(tmp_path)` (e.g. `np.save`, `safetensors.save_file`) then rename tmp over `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        save_fn(tmp)
        _fault_point(path)
        os.chmod(tmp, _umask_mode())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def read_jsonl(path: str | os.PathLike, *, allow_blank: bool = False) -> Iterator[tuple[int, Any]]:
    """Yield `(line_number, record)`; a line that is not valid JSON raises a UserError naming file and line."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"{path}: file not found")
    with open(path, "rb") as f:
        for lineno, raw in enumerate(f, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                raise located(
                    path, lineno, f"not valid UTF-8 (byte {raw[e.start]:#04x} at column {e.start + 1})"
                ) from None
            if not line.strip():
                if allow_blank:
                    continue
                raise located(path, lineno, "empty line (expected one JSON record per line)")
            try:
                yield lineno, json.loads(line)
            except json.JSONDecodeError as e:
                raise located(path, lineno, f"not valid JSON ({e.msg} at column {e.colno})") from None
            except RecursionError:
                raise located(path, lineno, "JSON nested too deeply") from None


def write_jsonl(path: str | os.PathLike, records: Iterable[Any]) -> int:
    """Atomically write one compact JSON record per line; returns the number of records."""
    n = 0
    with atomic_write(path) as f:
        for rec in records:
            f.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")))
            f.write("\n")
            n += 1
    return n


def sha256_file(path: str | os.PathLike) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks (weights are checked and recorded by it)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_json(path: str | os.PathLike) -> Any:
    path = Path(path)
    if not path.exists():
        raise UserError(f"{path}: file not found")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise located(path, data[: e.start].count(b"\n") + 1, "not valid UTF-8") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise located(path, e.lineno, f"not valid JSON ({e.msg})") from None
    except RecursionError:
        raise UserError(f"{path}: JSON nested too deeply") from None


def write_json(path: str | os.PathLike, obj: Any) -> None:
    with atomic_write(path) as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write("\n")
