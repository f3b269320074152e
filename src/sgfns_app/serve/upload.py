"""An uploaded photo: checked (size, a decodable image, its dimensions) before any model work, and whether the
loaded run can encode a new photo at all.

A run can place a new photo in its gallery only when its images were prepared from photos by a backbone the
service can run again (`sgfns prepare`; the dataset's meta.json names it under `photo_backbone`). A synthetic
world's images are rendered scenes described by features no photo pipeline produces, so on such a run the upload is
refused with the reason. The preparation of one photo lives in the library (`sgfns.photos`); it is imported only
when a run needs it, so the service works without it."""

from __future__ import annotations

import io
import warnings
from typing import Any

from PIL import Image

FORMATS = ("JPEG", "PNG", "WEBP", "BMP", "GIF", "TIFF")


class PhotoError(Exception):
    """A photo the service refuses; `status` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def check_photo(data: bytes, max_pixels: int, max_side: int) -> Image.Image:
    """Decode `data` as an RGB image, or raise `PhotoError`: empty, not an image, too many pixels, truncated.

    Dimensions are read from the header before the pixels are decoded, so a small file that claims a huge image
    (a decompression bomb) costs nothing."""
    if not data:
        raise PhotoError(400, "the upload is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data))
            fmt, (w, h) = im.format, im.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoError(413, f"the image has more than {max_pixels} pixels") from None
    except (OSError, ValueError, SyntaxError):
        raise PhotoError(415, "the upload is not an image this service can decode (JPEG, PNG, WebP, ...)") from None
    if fmt not in FORMATS:
        raise PhotoError(415, f"image format {fmt} is not accepted ({', '.join(FORMATS)})")
    if w < 1 or h < 1 or w * h > max_pixels or max(w, h) > max_side:
        raise PhotoError(413, f"the image is {w}x{h}; at most {max_pixels} pixels and {max_side} per side")
    try:
        return im.convert("RGB")
    except (OSError, ValueError, SyntaxError):
        raise PhotoError(415, "the image could not be decoded (truncated or corrupt file)") from None


def photo_support(data_meta: dict[str, Any]) -> tuple[Any, str | None]:
    """(the library's photo preparation, None) when the run can encode a new photo, else (None, why not)."""
    backbone = data_meta.get("photo_backbone")
    if not backbone:
        name = data_meta.get("name") or "this dataset"
        return None, (
            f"this run was trained on {name}, whose images were not prepared from photos by `sgfns prepare` (its "
            "meta.json names no photo_backbone), so a new photo cannot be encoded like its images; search by text "
            "or by a gallery image"
        )
    try:
        from sgfns import photos  # prepared by the photo pipeline; optional
    except ImportError:
        return None, f"the run's images were prepared with {backbone}, but this install has no sgfns.photos"
    fn = getattr(photos, "prepare_photo", None)
    if fn is None:
        return None, "this version of sgfns.photos offers no single-photo preparation (prepare_photo)"
    return fn, None
