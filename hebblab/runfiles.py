"""The files one run writes, and reading them back to replay it.

`write_run(lab, out_dir)` writes, atomically (see write_atomically: a temp dir renamed
into place, so a failure or an interruption leaves no partial output):
  experiment.toml  lab, preset, seed, duration_ms, params, hebblab version: enough to
                   replay with `hebblab run --config DIR/experiment.toml`
  metrics.json     {"lab","preset","seed","duration_ms","params","metrics"} (NaN -> null),
                   the same object `hebblab run --json` prints
  series.npz       every series' arrays, keys "<series>.<field>" (y, x, groups,
                   overlay.<name>.x/.y, marker.<name>)
  <series>.csv     one CSV per series, columns chosen by chart kind (see _csv_table)
Shared by `hebblab run --out` and the TUI's export key; `write_atomically` is the one
writer of every results directory (run, sweep). `check_out_dir` refuses, before a run,
what could not receive it (a file, a non-empty directory, a symlink loop, a dangling link,
a name over 255 bytes).

`load_config(path)` reads experiment.toml (or a directory holding one): a regular file of
at most 1 MiB, nothing else. It raises UsageError naming the file, the line where known,
and the key.
"""

from __future__ import annotations

import csv
import errno
import json
import os
import re
import shutil
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np

import hebblab
from hebblab.sim.labs.base import MAX_SEED, Lab, jsonable
from hebblab.sim.params import ParamError, closest
from hebblab.sim.series import Series
from hebblab.errors import UsageError
from hebblab.interrupts import held

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
NAME_MAX = 255  # bytes in one file or directory name (Linux and macOS file systems)
PATH_MAX = 4096  # bytes in a whole path (Linux)


def check_path_text(text: str, option: str) -> None:
    """Refuse a path the OS cannot take at all (a name over 255 bytes, a path over 4096),
    with a message instead of the OSError every later step would raise."""
    raw = os.fsencode(text)
    for part in raw.split(b"/"):
        if len(part) > NAME_MAX:
            shown = os.fsdecode(part[:20]) + "..."
            raise UsageError(f"{option}: the name {shown!r} in the path is {len(part)} bytes long; "
                             f"a file or directory name has at most {NAME_MAX} bytes")
    if len(raw) >= PATH_MAX:
        raise UsageError(f"{option}: the path is {len(raw)} bytes long; at most {PATH_MAX - 1}")


def check_out_dir(out_dir: str | os.PathLike, option: str = "--out") -> Path:
    """Fail early (before a run) if `out_dir` cannot receive a run's files. Returns the
    absolute directory to create or fill (a symlink to an empty directory: its target)."""
    text = os.fspath(out_dir)
    if not str(text).strip():
        raise UsageError(f"{option}: expected a directory name, got ''")
    check_path_text(text, option)
    path = Path(os.path.abspath(text))
    existing = _existing(path, text, option)
    if existing == path:
        if not path.is_dir():
            raise UsageError(f"{option}: {text} exists and is not a directory")
        path = Path(os.path.realpath(path))  # a link to an empty directory: fill the target
        try:
            empty = not any(path.iterdir())
        except OSError as err:
            raise UsageError(f"{option}: {text}: cannot list it: {_reason(err)}") from None
        if not empty:
            raise UsageError(f"{option}: {text} is not empty; choose a new or empty directory")
        existing = path.parent
    elif not existing.is_dir():  # e.g. --out notes.txt/run: no directory can be made under a file
        raise UsageError(f"{option}: {existing} is a file, so {text} cannot be a directory")
    # Probe by making (and removing) a directory: os.access says yes to root even where
    # nothing can be created (/proc, read-only mounts), and the run would be lost at the end.
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".hebblab-probe-", dir=existing))
    except OSError as err:
        raise UsageError(f"{option}: cannot create a directory in {existing}: {_reason(err)}") from None
    return path


def _existing(path: Path, text: str, option: str) -> Path:
    """The nearest of `path` and its ancestors that exists, refusing a symbolic link that
    loops or points nowhere (the run would otherwise be lost when its files are written)."""
    for candidate in (path, *path.parents):
        try:
            is_link = stat.S_ISLNK(os.lstat(candidate).st_mode)
        except (FileNotFoundError, NotADirectoryError):
            continue  # missing (to be created), or below a file (reported by the caller)
        except OSError as err:  # ELOOP: a link on the way loops; EACCES
            raise UsageError(f"{option}: {text}: {_reason(err)}") from None
        if is_link:
            check_link_target(candidate, option, "give a new or empty directory")
        return candidate
    return Path(path.anchor)


def check_link_target(link: Path, option: str, instead: str) -> None:
    """Refuse a symbolic link that loops or points nowhere (`instead`: what to give instead)."""
    try:
        os.stat(link)
    except FileNotFoundError:
        raise UsageError(f"{option}: {link} is a symbolic link to {os.readlink(link)}, which does not "
                         f"exist; {instead}") from None
    except OSError as err:
        what = "loop" if err.errno == errno.ELOOP else f"that cannot be followed ({_reason(err)})"
        raise UsageError(f"{option}: {link} is a symbolic link {what}; {instead}") from None


def _reason(err: OSError) -> str:
    if err.errno == errno.ELOOP:
        return "a symbolic link in the path loops"
    return err.strerror.lower() if err.strerror else str(err)


def write_atomically(out_dir: str | os.PathLike, fill: Callable[[Path], None], option: str = "--out") -> Path:
    """Create `out_dir` (new or empty) holding exactly what `fill(tmp)` writes into a fresh
    directory, or nothing at all: the files are written to `.NAME.tmp-*` beside it and
    renamed into place. On any failure or interruption (ctrl+c, TERM, HUP) the temporary
    directory and any parents made for it are removed. The one writer for every command
    that writes a directory of results (run, sweep, the TUI's export)."""
    target = check_out_dir(out_dir, option)
    parent = target.parent
    created: Path | None = None
    tmp: Path | None = None
    try:
        with held():
            created = _first_missing(parent)  # removed again if the write fails
            parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=f".{_shortened(target.name)}.tmp-", dir=parent))
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes it private; a result dir is not
        fill(tmp)
        with held():
            if target.exists():
                target.rmdir()  # empty (checked above); rename needs the name free
            os.replace(tmp, target)
            tmp = created = None
    except BaseException:
        with held():
            if tmp is not None:
                shutil.rmtree(tmp, ignore_errors=True)
            if created is not None:
                shutil.rmtree(created, ignore_errors=True)
        raise
    return target


def write_run(lab: Lab, out_dir: str | os.PathLike, duration_ms: float | None = None,
              metrics: Mapping[str, Any] | None = None, note: str | None = None) -> Path:
    """Write the run's files into `out_dir` (new or empty), all or nothing.

    duration_ms defaults to the lab's elapsed time. `note` (e.g. "parameters changed
    during the run") is stored in experiment.toml; replay uses the final parameters.
    """
    return write_atomically(out_dir, lambda tmp: fill_run(tmp, lab, duration_ms, metrics, note))


def fill_run(folder: Path, lab: Lab, duration_ms: float | None = None, metrics: Mapping[str, Any] | None = None,
             note: str | None = None) -> None:
    """Write one run's files into `folder` (a directory write_atomically is filling)."""
    import tomli_w  # only needed here: keeps `hebblab run` without --out lean

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
    header = "# hebblab experiment: replay with `hebblab run --config <this file>`\n"
    (folder / CONFIG_NAME).write_text(header + tomli_w.dumps(config), encoding="utf-8")
    (folder / "metrics.json").write_text(json.dumps(record, allow_nan=False, indent=2) + "\n", encoding="utf-8")
    arrays = {}
    for name, s in lab.series().items():
        arrays.update(_npz_arrays(name, s))
        _write_csv(folder / f"{_safe(name)}.csv", s)
    np.savez(folder / "series.npz", **arrays)


def write_comparison(comparison, out_dir: str | os.PathLike, duration_ms: float,
                     record: Mapping[str, Any]) -> Path:
    """A comparison: `a/` and `b/` as ordinary run directories (each replays with `hebblab run
    --config`) and `compare.json` (the `hebblab compare --json` object), all or nothing."""
    def fill(tmp: Path) -> None:
        for side, lab in (("a", comparison.a), ("b", comparison.b)):
            (tmp / side).mkdir()
            fill_run(tmp / side, lab, duration_ms, record[side]["metrics"])
        (tmp / "compare.json").write_text(dumps_record(record) + "\n", encoding="utf-8")

    return write_atomically(out_dir, fill)


def _shortened(name: str, limit: int = NAME_MAX - 20) -> str:
    """`name` cut to fit `.NAME.tmp-XXXXXXXX` within a 255-byte name."""
    while len(os.fsencode(name)) > limit:
        name = name[:-1]
    return name


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


MAX_CONFIG_BYTES = 1 << 20  # an experiment.toml is about 1 KB; 1 MiB leaves room for notes


def load_config(path: str | os.PathLike, option: str = "--config") -> ExperimentConfig:
    """Parse an experiment file (or a directory holding experiment.toml)."""
    p, text = read_small_file(path, option, EXPERIMENT_FILE)
    data = _parse_toml(p, text)
    cfg = ExperimentConfig(path=p, lab="", text=text)
    for key in data:
        if key not in CONFIG_KEYS:
            raise UsageError(f"{cfg.where(key)}: unknown key {_describe(key)}; allowed: {', '.join(CONFIG_KEYS)}"
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
        cfg.seed = _typed(cfg, data, "seed", int, f"an integer in [0, {MAX_SEED}]")
        if not 0 <= cfg.seed <= MAX_SEED:  # here, not later: a 400-digit seed would be printed whole
            raise UsageError(f"{cfg.where('seed')}: seed: expected an integer in [0, {MAX_SEED}], "
                             f"got {_describe(cfg.seed)}")
    if "duration_ms" in data:
        value = data["duration_ms"]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise UsageError(f"{cfg.where('duration_ms')}: duration_ms: expected a number of ms, "
                             f"got {_describe(value)}")
        try:
            cfg.duration_ms = float(value)
        except OverflowError:  # an integer of hundreds of digits: the range check names it
            cfg.duration_ms = value
    if "params" in data:
        if not isinstance(data["params"], dict):
            raise UsageError(f"{cfg.where('params')}: params: expected a table [params], "
                             f"got {_describe(data['params'])}")
        cfg.params = dict(data["params"])
    return cfg


@dataclass(frozen=True)
class SmallFile:
    """A kind of file hebblab reads back: its name inside a directory, its size limit, and
    how messages name it."""

    name: str
    max_bytes: int
    what: str  # "an experiment file"
    typical: str  # the size of the ones hebblab writes, for the too-big message


EXPERIMENT_FILE = SmallFile(CONFIG_NAME, MAX_CONFIG_BYTES, "an experiment file", "about 1 KB")


def read_small_file(path: str | os.PathLike, option: str, kind: SmallFile) -> tuple[Path, str]:
    """The text of a file hebblab wrote (or the directory holding it), refusing anything but a
    regular file of sane size: /dev/zero would fill memory, a FIFO would block for ever, a
    300 MB file take seconds to parse."""
    text = os.fspath(path)
    if not str(text).strip():
        raise UsageError(f"{option}: expected a file name, got ''")
    check_path_text(text, option)
    p = Path(text)
    try:
        if stat.S_ISDIR(os.stat(p).st_mode):
            p = p / kind.name
        info = os.stat(p)  # refuse devices before opening them: opening a tape rewinds it
        _check_kind(p, info, option, kind)
        # O_NONBLOCK: should p have become a FIFO since the stat, open() must not wait for a writer
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
    except (FileNotFoundError, NotADirectoryError):
        raise UsageError(f"{option}: {p}: no such file") from None
    except OSError as err:
        raise UsageError(f"{option}: {p}: cannot read: {_reason(err)}") from None
    try:
        _check_kind(p, os.fstat(fd), option, kind)
        chunks, size = [], 0
        while size <= kind.max_bytes:  # st_size can lie (/proc) or grow: count what is read
            chunk = os.read(fd, kind.max_bytes + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as err:
        raise UsageError(f"{option}: {p}: cannot read: {_reason(err)}") from None
    finally:
        os.close(fd)
    if size > kind.max_bytes:
        raise UsageError(_too_big(p, size, option, kind))
    try:
        return p, b"".join(chunks).decode("utf-8")
    except UnicodeDecodeError as err:
        raise UsageError(f"{option}: {p}: cannot read: not UTF-8 text (byte {err.start})") from None


def _check_kind(p: Path, info: os.stat_result, option: str, kind: SmallFile) -> None:
    mode = info.st_mode
    if not stat.S_ISREG(mode):
        what = ("a directory" if stat.S_ISDIR(mode) else "a named pipe (FIFO)" if stat.S_ISFIFO(mode)
                else "a character device" if stat.S_ISCHR(mode) else "a block device" if stat.S_ISBLK(mode)
                else "a socket" if stat.S_ISSOCK(mode) else "not a regular file")
        raise UsageError(f"{option}: {p} is {what}; expected {_a(kind.name)} file "
                         "(or the directory holding one)")
    if info.st_size > kind.max_bytes:
        raise UsageError(_too_big(p, info.st_size, option, kind))


def _a(name: str) -> str:
    return ("an " if name[0] in "aeiou" else "a ") + name


def _too_big(p: Path, size: int, option: str, kind: SmallFile) -> str:
    shown = f"{size / 2**20:.0f} MiB" if size >= 2**21 else f"{size} bytes"
    return (f"{option}: {p} is {shown}; {kind.what} has at most {kind.max_bytes // 2**20} MiB "
            f"(the ones hebblab writes are {kind.typical})")


def _parse_toml(p: Path, text: str) -> dict[str, Any]:
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise UsageError(f"{p}: invalid TOML: {err}") from None
    except RecursionError:  # tomllib recurses once per level: [[[[...]]]] 1000 deep
        raise UsageError(f"{p}: invalid TOML: arrays or inline tables nested too deeply "
                         "(an experiment file holds only numbers, strings and booleans)") from None
    except ValueError as err:  # Python's limit on the digits of an integer (4300)
        reason = "an integer has too many digits" if "digits" in str(err) else str(err)
        raise UsageError(f"{p}: invalid TOML: {reason}") from None


def _describe(value: Any) -> str:
    """A value for an error message, short whatever the file holds."""
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**15:
        return f"a {'negative ' if value < 0 else ''}{len(str(abs(value)))}-digit integer"
    text = repr(value)
    return text if len(text) <= 60 else text[:50] + "..." + text[-5:]


def config_overrides(lab_cls: type[Lab], cfg: ExperimentConfig) -> dict[str, Any]:
    """The config's [params], each validated against the lab's spec (errors say where)."""
    out = {}
    for name, value in cfg.params.items():
        try:
            spec = lab_cls.spec(name)
            if isinstance(value, (list, dict)) or (isinstance(value, int) and abs(value) > 2**63):
                # not passed to validate(): it prints the value, and float() overflows on 400 digits
                what = "out of range: expected" if isinstance(value, int) else "expected"
                raise ParamError(name, f"{what} {spec.allowed()}, got {_describe(value)}")
            out[name] = spec.validate(value)
        except ParamError as err:
            raise UsageError(f"{cfg.where(name, 'params')}: [params] {err}") from None
    return out


def _typed(cfg: ExperimentConfig, data: dict, key: str, kind: type, what: str) -> Any:
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, kind):
        raise UsageError(f"{cfg.where(key)}: {key}: expected {what}, got {_describe(value)}")
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
