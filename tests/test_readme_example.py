"""The README's Python example, executed as it is written: its one ```python block runs in a folder holding a small
generated dataset (`WORLD`) and a run trained on it (`runs/sgfns`), and what it computes is checked.

The example uses the library API (`sgfns.load_model`, `Matcher.similarity_pairs`, `sgfns.eval.evaluate`; docs/api.md),
so a change to those names breaks this test before it breaks a reader's notebook."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_python() -> str:
    blocks = re.findall(r"^```python\n(.*?)^```", (ROOT / "README.md").read_text("utf-8"), re.S | re.M)
    assert len(blocks) == 1, f"expected one python block in README.md, found {len(blocks)}"
    return blocks[0]


def test_readme_python_example_runs(tmp_path, monkeypatch, cli):
    import torch

    from sgfns.data.toy import write_toy_dataset

    write_toy_dataset(tmp_path / "WORLD", n_images=16, feature_dim=16, regions=6)
    rc, _, err = cli("train", "--data", tmp_path / "WORLD", "--out", tmp_path / "runs" / "sgfns", "--model",
                     "sgfns-tiny", "--no-progress", "epochs=1", "data.batch_size=8", "threads=1")  # fmt: skip
    assert rc == 0, err
    monkeypatch.chdir(tmp_path)
    ns: dict = {}
    exec(compile(readme_python(), "README.md:python", "exec"), ns)  # noqa: S102 - the README's own example
    out, rec = ns["out"], ns["rec"]
    assert tuple(out.score.shape) == (2,) and torch.isfinite(out.score).all()
    assert out.parts and torch.allclose(sum(out.parts.values()), out.score, atol=1e-5)
    assert rec["split"] == "test" and rec["protocol"] == "full" and 0.0 <= rec["metrics"]["rsum"] <= 600.0
