"""One installed name: a regular install (a built wheel) and this editable one both claim only
`hebblab`; `import sim` and `import tui` fail; `hebblab` and `python -m hebblab` both work."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {"hebblab": "hebblab", "hebblab.sim": "sim", "hebblab.cli": "cli", "hebblab.tui": "tui"}


def _clean_env() -> dict:
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSAFEPATH")}


def test_pyproject_lists_every_package_folder():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert config["package-dir"] == FOLDERS
    found = set()
    for package, folder in FOLDERS.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder).parts
            found.add(".".join([package, *rel]))
    assert set(config["packages"]) == found


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # Build from a copy: setuptools builds in-tree, and a stale build/ could hide a missing file.
    src = out / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".git", "build", "*.egg-info", ".venv", "__pycache__",
                                                           "__snapshots__", "benchmarks", "tests"))
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                           "-w", str(out), str(src)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    (found,) = out.glob("hebblab-*.whl")
    return found


def test_wheel_claims_only_hebblab(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names}
    assert {t for t in top if not t.endswith(".dist-info")} == {"hebblab"}
    for must in ("hebblab/sim/labs/lif.py", "hebblab/cli/commands/run.py", "hebblab/tui/app.py",
                 "hebblab/tui/hebblab.tcss", "hebblab/__main__.py", "hebblab/exercises/builtin/ex1-tau40.toml"):
        assert must in names


def test_wheel_install_runs_and_old_names_are_gone(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = _clean_env() | {"PYTHONPATH": str(site)}
    code = ("import importlib.util as u, hebblab.sim.labs as l; "
            "print(u.find_spec('sim'), u.find_spec('tui'), l.__file__)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("None None ") and str(site) in proc.stdout
    run = subprocess.run([sys.executable, "-m", "hebblab", "run", "lif", "--preset", "chapter", "--json"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert '"spike_count": 5' in run.stdout


def test_installed_environment_has_no_sim_or_tui(tmp_path):
    """In this (editable) install, from a folder outside the repository."""
    for name in ("sim", "tui", "cli"):
        proc = subprocess.run([sys.executable, "-c", f"import {name}"], cwd=tmp_path, env=_clean_env(),
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode != 0 and "ModuleNotFoundError" in proc.stderr, name
    proc = subprocess.run([sys.executable, "-m", "hebblab", "labs"], cwd=tmp_path, env=_clean_env(),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.split("\n")[2].startswith("lif"), proc.stderr
