"""Small generated photos for the photo tests (PIL-made files in tmp_path; nothing downloaded)."""

from __future__ import annotations

SIZE = ["--input-size", "64", "--regions", "6", "--no-progress"]  # a 2x2 feature map: fast, still the real network


def make_photo(path, colour=(200, 30, 30), size=(48, 40), mode="RGB"):
    """A light-gray photo with a coloured rectangle in the middle, saved in the format of `path`'s suffix."""
    from PIL import Image, ImageDraw

    im = Image.new("RGB", size, (240, 240, 240))
    ImageDraw.Draw(im).rectangle([size[0] // 4, size[1] // 4, 3 * size[0] // 4, 3 * size[1] // 4], fill=colour)
    im.convert(mode).save(path)
    return path
