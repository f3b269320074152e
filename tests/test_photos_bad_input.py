"""Bad photos and bad sources: one line naming the file and exit status 2, or a counted skip with `--skip-bad`;
an existing split is never left half-written. Odd but valid photos (alpha, grayscale, CMYK, EXIF-rotated) work."""

from __future__ import annotations

import json
import struct
import zlib

import numpy as np
import pytest

pytest.importorskip("efficientnet_lite_pytorch")

from photo_helpers import SIZE, make_photo  # noqa: E402


def jsonl_source(folder, names, captions=1):
    lines = [{"image": n, "captions": [f"caption {j} of {n}" for j in range(captions)]} for n in names]
    path = folder / "src.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    return path


def truncated_jpeg(path):
    make_photo(path, size=(64, 64))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def bomb_png(path, side=100_000):
    """A valid tiny PNG whose header claims side x side pixels (IHDR patched, CRC fixed)."""
    make_photo(path, size=(16, 16))
    data = bytearray(path.read_bytes())
    data[16:24] = struct.pack(">II", side, side)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF)
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: None, "image file"),  # missing
        (lambda p: p.write_text("not an image"), "not a readable image"),
        (truncated_jpeg, "cannot decode image"),
        (lambda p: make_photo(p, size=(1, 1)), "1x1 pixels is too small"),
        (bomb_png, "pixels"),
    ],
    ids=["missing", "unreadable", "truncated", "1x1", "bomb"],
)
def test_bad_photo_stops_with_one_line_or_is_skipped(cli, tmp_path, make, message):
    src = tmp_path / "src"
    src.mkdir()
    make_photo(src / "good.jpg")
    make(src / "bad.png")
    source = jsonl_source(src, ["good.jpg", "bad.png"])
    out = tmp_path / "data"
    rc, _, err = cli("prepare", source, "--split", "train", "--out", out, *SIZE)
    assert rc == 2
    assert len(err.strip().splitlines()) == 1 and "bad.png" in err and message in err, err
    assert not (out / "train_caps.txt").exists()
    assert not list(out.glob(".prepare-*")) if out.exists() else True
    rc, stdout, err = cli("prepare", source, "--split", "train", "--out", out, "--skip-bad", *SIZE)
    assert rc == 0, err
    assert "skipped 1 bad input" in stdout and "bad.png" in stdout
    assert (out / "train_ids.txt").read_text().split() == ["good"]


def test_decompression_bomb_is_refused_before_decoding(tmp_path):
    from sgfns.errors import UserError
    from sgfns.photos.decode import open_photo

    with pytest.raises(UserError, match="pixels"):
        open_photo(bomb_png(tmp_path / "bomb.png"), 64)


def test_odd_but_valid_photos_decode_to_rgb(tmp_path):
    from PIL import Image

    from sgfns.photos.decode import open_photo

    rgba = Image.new("RGBA", (32, 32), (255, 0, 0, 0))  # fully transparent red: must come out white
    rgba.save(tmp_path / "alpha.png")
    assert open_photo(tmp_path / "alpha.png", 64).pixels.min() == 255
    make_photo(tmp_path / "gray.jpg", mode="L")
    make_photo(tmp_path / "cmyk.jpg", colour=(200, 30, 30), mode="CMYK")
    for name in ("gray.jpg", "cmyk.jpg"):
        px = open_photo(tmp_path / name, 64).pixels
        assert px.shape == (64, 64, 3) and px.dtype == np.uint8
    centre = open_photo(tmp_path / "cmyk.jpg", 64).pixels[32, 32].astype(int)
    assert centre[0] > 150 and centre[1] < 90 and centre[2] < 90  # still red


def test_exif_rotation_is_applied_and_regions_follow_it(tmp_path):
    from PIL import Image

    from sgfns.photos.decode import open_photo
    from sgfns.photos.describe import prepare_photo
    from sgfns.photos.regions import RegionSettings

    stored = Image.new("RGB", (60, 30), (20, 20, 220))
    stored.paste((220, 20, 20), (0, 0, 30, 30))  # red on the left as stored
    exif = Image.Exif()
    exif[0x0112] = 6  # shown rotated 90 degrees clockwise: red on top, 30 wide x 60 high
    stored.save(tmp_path / "tagged.png", exif=exif)
    stored.transpose(Image.Transpose.ROTATE_270).save(tmp_path / "upright.png")
    photo = open_photo(tmp_path / "tagged.png", 64)
    assert photo.size_wh == (30, 60)
    assert photo.pixels[5, 32, 0] > 150 and photo.pixels[60, 32, 2] > 150  # red on top, blue below
    settings = RegionSettings(count=6)
    a = prepare_photo(tmp_path / "tagged.png", settings=settings)
    b = prepare_photo(tmp_path / "upright.png", settings=settings)
    assert np.array_equal(a.boxes, b.boxes)
    assert np.allclose(a.features, b.features, atol=1e-4)


def test_sources_naming_missing_images_or_duplicates(cli, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    make_photo(src / "a.jpg")
    coco = {"images": [{"id": 1, "file_name": "a.jpg"}, {"id": 2, "file_name": "gone.jpg"}],
            "annotations": [{"image_id": 1, "caption": "one"}, {"image_id": 2, "caption": "two"}]}  # fmt: skip
    (src / "captions_x.json").write_text(json.dumps(coco))
    rc, _, err = cli("prepare", src / "captions_x.json", "--split", "val", "--out", tmp_path / "d", *SIZE)
    assert rc == 2 and "captions_x.json: images[1]: image file" in err and "gone.jpg not found" in err
    dup = jsonl_source(src, ["a.jpg", "a.jpg"])
    rc, _, err = cli("prepare", dup, "--split", "val", "--out", tmp_path / "d", *SIZE)
    assert rc == 2 and "src.jsonl:2: duplicate image id 'a'" in err
    rc, stdout, _ = cli("prepare", dup, "--split", "val", "--out", tmp_path / "d", "--skip-bad", *SIZE)
    assert rc == 0 and "skipped 1 bad input" in stdout


def test_a_failure_leaves_the_existing_split_untouched(cli, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    make_photo(src / "a.jpg")
    make_photo(src / "b.jpg", (0, 0, 200))
    out = tmp_path / "data"
    assert cli("prepare", jsonl_source(src, ["a.jpg"]), "--split", "train", "--out", out, *SIZE)[0] == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    truncated_jpeg(src / "c.jpg")
    rc, _, err = cli("prepare", jsonl_source(src, ["b.jpg", "c.jpg"]), "--split", "train", "--out", out, *SIZE)
    assert rc == 2 and "c.jpg" in err
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert after == before
    assert not list(out.glob(".prepare-*"))
