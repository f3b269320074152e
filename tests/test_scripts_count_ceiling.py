"""scripts/count_ceiling.py: what counting the predicted graph's labels gets right on `count` items."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "count_ceiling.py"


def _write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_label_counter_is_right_when_the_predicted_count_is_closer(tmp_path):
    box = lambda: {"name": "box", "attributes": []}  # noqa: E731
    images = [{"objects": [box(), box(), box()]}, {"objects": [box(), box()]}, {"objects": [box()]}]
    caps = [{"objects": [{"name": "box", "attributes": [], "count": n}], "relations": []} for n in (3, 3, 2)]
    items = [
        {"image": 0, "caption_index": 0, "caption": "three boxes", "negative": "two boxes", "category": "count"},
        {"image": 1, "caption_index": 1, "caption": "three boxes", "negative": "two boxes", "category": "count"},
        {"image": 2, "caption_index": 2, "caption": "two boxes", "negative": "three boxes", "category": "count"},
        {"image": 2, "caption_index": 2, "caption": "a box", "negative": "a ball", "category": "replace-obj"},
    ]
    _write(tmp_path / "test_compositional.jsonl", items)
    _write(tmp_path / "test_caps_sg.jsonl", caps)
    _write(tmp_path / "test_image_sg.jsonl", images)
    r = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    # 3 seen for "three": right; 2 seen for "three": wrong; 1 seen for "two" (vs three): right
    assert out["items"] == 3 and out["label_counter_right"] == 2
    assert out["table"] == {"2 -> seen 1": 1, "3 -> seen 2": 1, "3 -> seen 3": 1}
    r = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path / "nowhere")], capture_output=True, text=True)
    assert r.returncode == 2 and "not found" in r.stderr
