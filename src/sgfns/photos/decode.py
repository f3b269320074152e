"""Open one photo file safely and bring it to the backbone's square input.

Why here and not in PIL's defaults: a photo comes from a user's folder, so every way a file can be wrong must end in
one `UserError` naming the file — never a traceback, never a silently half-decoded picture:
- the pixel count is read from the header and refused above `MAX_PIXELS` before anything is decoded
  (a decompression bomb costs nothing);
- a truncated file is an error (PIL's `LOAD_TRUNCATED_IMAGES` stays off);
- EXIF orientation is applied first, so regions, sizes and colours are those of the photo as a person sees it;
- transparency is composited over white, grayscale/CMYK/palette become RGB;
- an image smaller than `MIN_SIDE` pixels on a side has nothing to describe and is refused.

JPEGs are decoded with PIL's draft mode (DCT scaling to the smallest power-of-two reduction that still covers the
input size), which makes decoding a large photo several times cheaper without changing what the backbone sees
much: the result is resized to the input size anyway."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sgfns.errors import UserError

MAX_PIXELS = 80_000_000  # ~ a 10,000 x 8,000 photo; more is refused as a likely decompression bomb
MIN_SIDE = 8


@dataclass
class Photo:
    """A decoded photo: `pixels` [S, S, 3] uint8 at the backbone's input size (aspect not kept: boxes are stored as
    fractions of width and height, so they map back to the original exactly) and its upright size in pixels."""

    path: Path
    pixels: np.ndarray
    size_wh: tuple[int, int]


def open_photo(path: str | Path, input_size: int) -> Photo:
    """Decode `path` upright, as RGB, resized to `input_size` x `input_size`; a bad file raises a UserError."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: image file not found")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                w, h = im.size
                if w * h > MAX_PIXELS:
                    raise UserError(f"{path}: {w}x{h} pixels is over the {MAX_PIXELS:,} allowed (not decoded)")
                if min(w, h) < MIN_SIDE:
                    raise UserError(f"{path}: {w}x{h} pixels is too small (each side must be >= {MIN_SIDE})")
                if im.format == "JPEG" and im.mode in ("RGB", "L", "CMYK"):
                    im.draft(im.mode, (input_size, input_size))
                im.load()
                upright = ImageOps.exif_transpose(im)
                rgb = _to_rgb(upright)
                size_wh = _upright_size(im, (w, h))
    except UserError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise UserError(f"{path}: not a readable image ({e})") from None
    except (OSError, SyntaxError, ValueError, EOFError) as e:
        raise UserError(f"{path}: cannot decode image ({e})") from None
    pixels = np.asarray(rgb.resize((input_size, input_size), Image.BILINEAR), dtype=np.uint8)
    return Photo(path=path, pixels=pixels, size_wh=size_wh)


def _to_rgb(im):
    from PIL import Image

    if im.mode == "P":
        im = im.convert("RGBA") if "transparency" in im.info else im.convert("RGB")
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "RGBa"):
        rgba = im.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    if im.mode in ("I", "I;16", "I;16B", "I;16L", "F"):  # 16-bit / float grayscale: scale to 8 bits
        a = np.asarray(im, dtype=np.float64)
        hi = float(a.max()) or 1.0
        return Image.fromarray(np.clip(a * (255.0 / hi), 0, 255).astype(np.uint8)).convert("RGB")
    return im.convert("RGB")


def _upright_size(im, size_wh: tuple[int, int]) -> tuple[int, int]:
    """The original (not draft-reduced) size after EXIF rotation: orientations 5-8 swap width and height."""
    w, h = size_wh
    orientation = im.getexif().get(0x0112, 1)
    return (h, w) if orientation in (5, 6, 7, 8) else (w, h)
