"""The files one run writes, and reading them back to replay it.

`write_run(lab, out_dir)` writes, atomically (a temp dir renamed into place, so a
failure leaves no partial output):
  experiment.toml  lab, preset, seed, duration_ms, params, hebblab version: enough to
                   replay with `hebblab run --config DIR/experiment.toml`
  metrics.json     {"lab","preset","seed","duration_ms","params","metrics"} (NaN -> null),
                   the same object `hebblab run --json` prints
  series.npz       every series' arrays, keys "<series>.<field>" (y, x, groups,
                   overlay.<name>.x/.y, marker.<name>)
  <series>.csv     one CSV per series, columns chosen by chart kind (see _csv_table)
Shared by `hebblab run --out`, sweeps and the TUI's export key.

`load_config(path)` reads experiment.toml (or a directory holding one) and raises
UsageError naming the file, the line where known, and the key.
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np

import hebblab
from hebblab.sim.labs.base import Lab, jsonable
from hebblab.sim.params import ParamError, closest
from hebblab.sim.series import Series
from hebblab.errors import UsageError

CONFIG_NAME = "experiment.toml"
CONFIG_KEYS = ("hebblab_version", "lab", "preset", "seed", "duration_ms", "note", "params")


# -- the record of a run --------------------------------------------------------------
def run_record(lab: Lab, duration_ms: float | None = None, metrics: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The JSON object describing a finished run (what `--json` prints)."""
    return {
        "lab": lab.name,
        "preset": lab.preset_name,
        "seed": lab.rng_seed,
        "duration_ms": float(lab.t_ms if duration_ms is None else duration_ms),
        "params": jsonable(dict(lab.params)),
        "metrics": jsonable(dict(lab.metrics() if metrics is None else metrics)),
    }


def dumps_record(record: Mapping[str, Any]) -> str:
    """JSON text; refuses NaN/inf (jsonable already turned them into null)."""
    return json.dumps(record, allow_nan=False)


# -- writing ------------------------------------------------------------------------
def check_out_dir(out_dir: str | os.PathLike) -> Path:
    """Fail early (before a run) if `out_dir` cannot receive a run's files."""
    if not str(out_dir).strip():
        raise UsageError("--out: expected a directory name, got ''")
    path = Path(out_dir)
    if path.exists():
        if not path.is_dir():
            raise UsageError(f"--out: {path} exists and is not a directory")
        if any(path.iterdir()):
            raise UsageError(f"--out: {path} is not empty; choose a new or empty directory")
    parent = _existing_ancestor(path.absolute().parent)
    if not parent.is_dir():  # e.g. --out notes.txt/run: no directory can be made under a file
        raise UsageError(f"--out: {parent} is a file, so {path} cannot be a directory")
    # Probe by making (and removing) a directory: os.access says yes to root even where
    # nothing can be created (/proc, read-only mounts), and the run would be lost at the end.
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".hebblab-probe-", dir=parent))
    except OSError as err:
        raise UsageError(f"--out: cannot create a directory in {parent}: {err.strerror or err}") from None
    return path


def write_run(lab: Lab, out_dir: str | os.PathLike, duration_ms: float | None = None,
              metrics: Mapping[str, Any] | None = None, note: str | None = None) -> Path:
    """Write the run's files into `out_dir` (new or empty), all or nothing.

    duration_ms defaults to the lab's elapsed time. `note` (e.g. "parameters changed
    during the run") is stored in experiment.toml; replay uses the final parameters.
    """
    import tomli_w  # only needed here: keeps `hebblab run` without --out lean

    path = check_out_dir(out_dir)
    record = run_record(lab, duration_ms, metrics)
    config = {
        "hebblab_version": hebblab.__version__,
        "lab": record["lab"],
        "preset": record["preset"],
        "seed": record["seed"],
        "duration_ms": record["duration_ms"],
        **({"note": note} if note else {}),
        "params": dict(lab.params),
    }
    parent = path.absolute().parent
    created = _first_missing(parent)  # removed again if the write fails
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.tmp-", dir=parent))
    except BaseException:
        if created is not None:
            shutil.rmtree(created, ignore_errors=True)
        raise
    try:
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes it private; a result dir is not
        header = "# hebblab experiment: replay with `hebblab run --config <this file>`\n"
        (tmp / CONFIG_NAME).write_text(header + tomli_w.dumps(config), encoding="utf-8")
        (tmp / "metrics.json").write_text(json.dumps(record, allow_nan=False, indent=2) + "\n", encoding="utf-8")
        series = lab.series()
        arrays = {}
        for name, s in series.items():
            arrays.update(_npz_arrays(name, s))
            _write_csv(tmp / f"{_safe(name)}.csv", s)
        np.savez(tmp / "series.npz", **arrays)
        if path.exists():
            path.rmdir()  # empty (checked above); rename needs the name free
        os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if created is not None:
            shutil.rmtree(created, ignore_errors=True)
        raise
    return path


def _first_missing(path: Path) -> Path | None:
    """The outermost ancestor of `path` (or path itself) that does not exist yet."""
    missing = None
    while not path.exists() and path != path.parent:
        missing, path = path, path.parent
    return missing


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _existing_ancestor(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)


def _npz_arrays(name: str, s: Series) -> dict[str, np.ndarray]:
    out = {f"{name}.y": np.asarray(s.y)}
    if s.x is not None:
        out[f"{name}.x"] = np.asarray(s.x)
    if s.groups is not None:
        out[f"{name}.groups"] = np.asarray(s.groups)
    for key, (ox, oy) in s.overlays.items():
        out[f"{name}.overlay.{key}.x"] = np.asarray(ox)
        out[f"{name}.overlay.{key}.y"] = np.asarray(oy)
    for key, (mx, my) in s.markers.items():
        out[f"{name}.marker.{key}"] = np.asarray([mx, my], dtype=np.float64)
    for key, value in s.hlines.items():
        out[f"{name}.hline.{key}"] = np.asarray(value, dtype=np.float64)
    return out


def _col(label: str, fallback: str) -> str:
    return label.strip() or fallback


def _csv_table(s: Series) -> tuple[list[str], list[list[Any]]]:
    """Header and rows for one series, by chart kind."""
    y = np.asarray(s.y)
    spec = s.spec
    if s.kind == "trace":
        rows_y = y.reshape(1, -1) if y.ndim == 1 else y
        x = np.arange(rows_y.shape[1]) if s.x is None else np.asarray(s.x)
        names = list(s.labels) if len(s.labels) == rows_y.shape[0] else (
            [_col(spec.ylabel, "y")] if rows_y.shape[0] == 1 else [f"y{i}" for i in range(rows_y.shape[0])])
        return [_col(spec.xlabel, "x"), *names], [[xi, *col] for xi, col in zip(x.tolist(), rows_y.T.tolist())]
    if s.kind == "raster":
        x = np.asarray(s.x if s.x is not None else [])
        header = [_col(spec.xlabel, "time"), _col(spec.ylabel, "cell")]
        cells = y.ravel()
        if cells.dtype.kind == "f" and np.all(np.isfinite(cells)) and np.all(cells == np.round(cells)):
            cells = cells.astype(np.int64)  # cell indices: "3", not "3.0"
        cols = [x.tolist(), cells.tolist()]
        if s.groups is not None:
            header.append("group")
            cols.append(np.asarray(s.groups).ravel().tolist())
        return header, [list(r) for r in zip(*cols)]
    if s.kind == "matrix":
        m = np.atleast_2d(y)
        return ["row", *[f"col{j}" for j in range(m.shape[1])]], [[i, *r] for i, r in enumerate(m.tolist())]
    if s.kind == "histogram":
        return [_col(spec.xlabel, "value")], [[v] for v in y.ravel().tolist()]
    if s.kind == "bars":
        labels = list(s.labels) or [str(i) for i in range(y.size)]
        return ["label", _col(spec.ylabel, "value")], [[lab, v] for lab, v in zip(labels, y.ravel().tolist())]
    # curve and scatter: long format, one row per point, `part` names the line
    rows: list[list[Any]] = []
    if s.x is not None:
        main = s.labels[0] if s.labels else "measured"  # lif's f-I line is "euler on dt grid"
        rows += [[main, a, b] for a, b in zip(np.ravel(s.x).tolist(), y.ravel().tolist())]
    for key, (ox, oy) in s.overlays.items():
        rows += [[key, a, b] for a, b in zip(np.ravel(ox).tolist(), np.ravel(oy).tolist())]
    for key, (mx, my) in s.markers.items():
        rows.append([key, float(mx), float(my)])
    return ["part", _col(spec.xlabel, "x"), _col(spec.ylabel, "y")], rows


def _write_csv(path: Path, s: Series) -> None:
    header, rows = _csv_table(s)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


# -- reading -------------------------------------------------------------------------
@dataclass
class ExperimentConfig:
    """A parsed experiment.toml. Missing optional keys are None (params: empty)."""

    path: Path
    lab: str
    preset: str | None = None
    seed: int | None = None
    duration_ms: float | None = None
    params: dict[str, Any] = field(default_factory=dict)
    note: str | None = None
    text: str = ""

    def where(self, key: str, table: str | None = None) -> str:
        """'file:line' of a key when it can be found, else 'file'."""
        line = _line_of(self.text, key, table)
        return f"{self.path}:{line}" if line else str(self.path)


def load_config(path: str | os.PathLike) -> ExperimentConfig:
    """Parse an experiment file (or a directory holding experiment.toml)."""
    import tomllib

    p = Path(path)
    if p.is_dir():
        p = p / CONFIG_NAME
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"--config: {p}: no such file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError(f"--config: {p}: cannot read: {err}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise UsageError(f"{p}: invalid TOML: {err}") from None
    cfg = ExperimentConfig(path=p, lab="", text=text)
    for key in data:
        if key not in CONFIG_KEYS:
            raise UsageError(f"{cfg.where(key)}: unknown key {key!r}; allowed: {', '.join(CONFIG_KEYS)}"
                             + closest(key, CONFIG_KEYS))
    if "lab" not in data:
        raise UsageError(f"{p}: missing key 'lab' (the lab to run, e.g. lab = \"lif\")")
    cfg.lab = _typed(cfg, data, "lab", str, "a lab name (string)")
    if "preset" in data:
        cfg.preset = _typed(cfg, data, "preset", str, "a preset name (string)")
    if "note" in data:
        cfg.note = _typed(cfg, data, "note", str, "a string")
    if "hebblab_version" in data:
        _typed(cfg, data, "hebblab_version", str, "a version string")
    if "seed" in data:
        cfg.seed = _typed(cfg, data, "seed", int, "an integer")
    if "duration_ms" in data:
        value = data["duration_ms"]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise UsageError(f"{cfg.where('duration_ms')}: duration_ms: expected a number of ms, got {value!r}")
        cfg.duration_ms = float(value)
    if "params" in data:
        if not isinstance(data["params"], dict):
            raise UsageError(f"{cfg.where('params')}: params: expected a table [params]")
        cfg.params = dict(data["params"])
    return cfg


def config_overrides(lab_cls: type[Lab], cfg: ExperimentConfig) -> dict[str, Any]:
    """The config's [params], each validated against the lab's spec (errors say where)."""
    out = {}
    for name, value in cfg.params.items():
        try:
            spec = lab_cls.spec(name)
            out[name] = spec.validate(value)
        except ParamError as err:
            raise UsageError(f"{cfg.where(name, 'params')}: [params] {err}") from None
    return out


def _typed(cfg: ExperimentConfig, data: dict, key: str, kind: type, what: str) -> Any:
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, kind):
        raise UsageError(f"{cfg.where(key)}: {key}: expected {what}, got {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise UsageError(f"{cfg.where(key)}: {key}: must be finite, got {value!r}")
    return value


def _line_of(text: str, key: str, table: str | None) -> int | None:
    """Best-effort line number of `key = ...` (inside [table] when given)."""
    current: str | None = None
    key_re = re.compile(rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*=""")
    for number, line in enumerate(text.splitlines(), start=1):
        header = re.match(r"^\s*\[([^\[\]]+)\]\s*(#.*)?$", line)
        if header:
            current = header.group(1).strip()
            if table is None and current == key:
                return number
            continue
        if current == table and key_re.match(line):
            return number
    return None
