"""The built wheel is a working install: `pip wheel` of a copy of the project, installed without dependencies into
a fresh virtual environment, gives an `sgfns` command and importable packages with their data files, read from the
install (never from the source tree). Nothing downloads: the fresh environment sees the test environment's
dependencies through one `.pth` line, and pip never reaches an index."""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PIP_ENV = {**os.environ, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PYTHONPATH": ""}


def _run(*cmd, cwd: Path) -> str:
    r = subprocess.run([str(c) for c in cmd], cwd=cwd, env=PIP_ENV, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f"{' '.join(map(str, cmd))} exited {r.returncode}:\n{r.stdout[-2000:]}{r.stderr[-2000:]}"
    return r.stdout


def _data_files() -> list[str]:
    """Files inside the packages that are not Python modules: each must ship (resources, presets)."""
    return sorted(str(p.relative_to(ROOT / "src")) for pkg in ("sgfns", "sgfns_app")
                  for p in (ROOT / "src" / pkg).rglob("*")
                  if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts)  # fmt: skip


@pytest.mark.slow
def test_wheel_installs_into_a_fresh_venv_and_runs(tmp_path):
    src = tmp_path / "project"  # build from a copy: the checkout gets no build/ or egg-info
    shutil.copytree(ROOT / "src", src / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", tmp_path / "dist", src,
         cwd=tmp_path)  # fmt: skip
    (wheel,) = (tmp_path / "dist").glob("sgfns-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "sgfns_app/cli/main.py" in names
    missing = [f for f in _data_files() if f not in names]
    assert not missing, f"package data left out of the wheel: {missing}"

    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", venv, cwd=tmp_path)
    py = venv / "bin" / "python"
    venv_site = Path(_run(py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path).strip())
    # the dependencies of the test environment, without its editable install of this checkout (a .pth line adds a
    # folder to the path but does not run the .pth files inside it)
    (venv_site / "test_env_deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    _run(sys.executable, "-m", "pip", "--python", py, "install", "--no-deps", wheel, cwd=tmp_path)

    sgfns = venv / "bin" / "sgfns"
    assert "train" in _run(sgfns, "--help", cwd=tmp_path)
    assert "--model" in _run(sgfns, "train", "--help", cwd=tmp_path)
    presets = _run(sgfns, "train", "--list-configs", cwd=tmp_path)  # presets found inside the installed package
    assert all(f"  {p.stem} " in presets for p in (ROOT / "src/sgfns_app/configs").glob("*.yaml")), presets
    where = _run(py, "-c", "import sgfns, sgfns_app, sgfns_app.demo as d; print(sgfns.__file__); "
                 "print(sgfns_app.__file__); print(len(d.reference_results()))", cwd=tmp_path).split()  # fmt: skip
    assert all(Path(p).is_relative_to(venv_site) for p in where[:2]), where
    assert int(where[2]) >= 5  # the demo's reference rows, read from the installed package data
