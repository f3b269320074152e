"""Row files: feature rows streamed to and copied between `.npy` files with plain reads and writes.

Why not a memory map: pages of a written or read map stay in the process's resident memory until the kernel
reclaims them, so preparing 100K photos through `open_memmap` shows gigabytes of RSS. Rows here go through a small
buffer: memory stays flat however many photos are prepared or appended."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

CHUNK_BYTES = 16 << 20


@dataclass
class RowPart:
    """`n` rows of `row_shape`/`dtype` stored contiguously in `path` from byte `offset`."""

    path: Path
    offset: int
    n: int
    row_shape: tuple[int, ...]
    dtype: np.dtype


class RowWriter:
    """Append rows to a headerless file; `part()` describes what was written."""

    def __init__(self, path: Path, row_shape: tuple[int, ...], dtype: str | np.dtype) -> None:
        self.path, self.row_shape, self.dtype = Path(path), tuple(row_shape), np.dtype(dtype)
        self.n = 0
        self._f = open(self.path, "wb")  # noqa: SIM115 - closed in close()

    def write(self, rows: np.ndarray) -> None:
        rows = np.ascontiguousarray(rows, dtype=self.dtype).reshape(-1, *self.row_shape)
        self._f.write(rows.tobytes())
        self.n += len(rows)

    def close(self) -> RowPart:
        self._f.close()
        return RowPart(self.path, 0, self.n, self.row_shape, self.dtype)


def npy_part(path: Path) -> RowPart:
    """The rows of a plain (C-order, unpickled) .npy file."""
    with open(path, "rb") as f:
        version = np.lib.format.read_magic(f)
        if version not in ((1, 0), (2, 0)):
            raise ValueError(f"{path}: .npy format version {version} is not supported here")
        read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, fortran, dtype = read(f)
        offset = f.tell()
    if fortran or dtype.hasobject:
        raise ValueError(f"{path}: not a plain C-order numeric array")
    return RowPart(Path(path), offset, int(shape[0]), tuple(shape[1:]), dtype)


def write_npy(dest: Path, parts: list[RowPart]) -> None:
    """Write the parts' rows, in order, as one .npy file (copied in CHUNK_BYTES pieces)."""
    row_shape, dtype = parts[0].row_shape, parts[0].dtype
    for p in parts:
        if p.row_shape != row_shape or p.dtype != dtype:
            raise ValueError(f"{p.path}: rows {p.row_shape} {p.dtype} differ from {row_shape} {dtype}")
    n = sum(p.n for p in parts)
    header = {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False, "shape": (n, *row_shape)}
    row_bytes = int(np.prod(row_shape, dtype=np.int64)) * dtype.itemsize
    with open(dest, "wb") as out:
        np.lib.format.write_array_header_2_0(out, header)
        for p in parts:
            with open(p.path, "rb") as f:
                f.seek(p.offset)
                left = p.n * row_bytes
                while left:
                    buf = f.read(min(left, CHUNK_BYTES))
                    if not buf:
                        raise ValueError(f"{p.path}: ends before its {p.n} rows")
                    out.write(buf)
                    left -= len(buf)
