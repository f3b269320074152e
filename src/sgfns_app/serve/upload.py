"""An uploaded photo: checked (size, a decodable image, its dimensions) before any model work, and whether the
loaded run can encode a new photo at all.

A run can place a new photo beside its gallery only when its images were prepared from photos by a backbone the
service can run again (`sgfns prepare`; the dataset's meta.json names it under `backbone`). A synthetic
world's images are rendered scenes described by features no photo pipeline produces, so on such a run the upload is
refused with the reason. The preparation of one photo lives in the library (`sgfns.photos`); it is imported only
when a run needs it, so the service works without it."""

from __future__ import annotations

import io
import threading
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


class PhotoSearch:
    """Captions for an uploaded photo on a run whose images were prepared from photos: the photo goes through the
    library's single-photo preparation (`sgfns.photos.prepare_photo`, with the gallery's own settings from its
    meta.json), the run's model encodes it, and `Searcher.new_image` ranks and explains the captions. The backbone
    is loaded on the first upload and kept (`sgfns.photos.backbone.shared_backbone`)."""

    def __init__(self, searcher) -> None:
        self.searcher = searcher
        self._lock = threading.Lock()

    def unavailable(self) -> tuple[int, str] | None:
        """None when the run can encode a new photo, else (HTTP status, why not)."""
        meta = self.searcher.data_meta
        if not isinstance(meta.get("backbone"), dict):
            name = meta.get("name") or "this dataset"
            return 400, (
                f"cannot search by a new photo: this run's images ({name}) were not prepared from photos by `sgfns "
                "prepare` (its meta.json names no photo backbone), so a new photo cannot be encoded like them; "
                "search by text or by a gallery image"
            )
        try:
            from sgfns.photos import load_backbone, prepare_photo  # noqa: F401
            from sgfns.photos.describe import as_split  # noqa: F401
        except ImportError as e:
            return 501, f"the run's images were prepared from photos, but this install cannot prepare one ({e})"
        return None

    def search(self, image: bytes, k: int) -> dict[str, Any]:
        """Prepare, encode and search one checked photo (runs in a search worker)."""
        import tempfile

        from sgfns.graphs.types import SceneGraph
        from sgfns.models.scoring import encode_images
        from sgfns.photos import prepare_photo
        from sgfns.photos.backbone import shared_backbone
        from sgfns.photos.describe import as_split, settings_from_meta

        meta = self.searcher.data_meta
        with self._lock:  # the first upload loads the backbone; the others wait for it rather than load their own
            backbone = shared_backbone(settings_from_meta(meta)[1])
        with tempfile.NamedTemporaryFile(prefix="sgfns-upload-") as f:
            f.write(image)
            f.flush()
            photo = prepare_photo(f.name, backbone=backbone, meta=meta)
        enc = encode_images(self.searcher.model, as_split([photo], ["upload"]))
        return self.searcher.new_image(enc, SceneGraph.from_dict(photo.graph), photo.boxes, k)
