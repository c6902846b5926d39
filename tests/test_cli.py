"""The hebblab command line: listing commands, run output shapes, replay, bad input.

Plumbing is tested on a fake lab with every series/parameter kind (tests/cli_kitchen_lab.py)
and on the real labs; the science of each lab is tested in that lab's own tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from hebblab.sim.labs import all_labs
from tests import cli_kitchen_lab
from hebblab.cli import main as cli
from hebblab.cli.main import main

REAL_LABS = list(all_labs())


@pytest.fixture
def kitchen(monkeypatch):
    cli_kitchen_lab.install(monkeypatch)
    return cli_kitchen_lab.KitchenLab


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# -- listing commands ------------------------------------------------------------------
def test_labs_lists_every_registered_lab(capsys):
    code, out, err = run_cli(capsys, "labs")
    assert code == 0 and err == ""
    for name, lab in all_labs().items():
        line = next(l for l in out.splitlines() if l.split()[0] == name)
        assert lab.summary[:30] in line


def test_labs_json(capsys):
    code, out, _ = run_cli(capsys, "labs", "--json")
    assert code == 0
    assert json.loads(out) == {n: lab.summary for n, lab in all_labs().items()}


@pytest.mark.parametrize("lab", REAL_LABS)
def test_presets_lists_all_with_default_first(capsys, lab):
    code, out, _ = run_cli(capsys, "presets", lab)
    assert code == 0
    lab_cls = all_labs()[lab]
    heads = [l.split()[0] for l in out.splitlines() if l and not l.startswith(" ")]
    assert heads == [p.name for p in lab_cls.presets]
    assert "default" in out.splitlines()[0]


@pytest.mark.parametrize("lab", REAL_LABS)
def test_params_table_has_every_spec(capsys, lab):
    code, out, _ = run_cli(capsys, "params", lab)
    assert code == 0
    lab_cls = all_labs()[lab]
    lines = out.splitlines()
    assert lines[0].split()[:6] == ["name", "default", "unit", "range", "applies", "help"]
    names = [l.split()[0] for l in lines[2:]]
    assert names == [s.name for s in lab_cls.specs]
    for spec in lab_cls.specs:
        row = lines[2 + names.index(spec.name)]
        assert ("live" if spec.live else "reset") in row.split()
        assert spec.format(spec.default) in row.split()


def test_params_markdown_and_preset_values(capsys, kitchen):
    code, out, _ = run_cli(capsys, "params", "kitchen", "--markdown", "--preset", "big")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "| name | value (big) | unit | range | applies | help |"
    assert lines[1] == "|---|---|---|---|---|---|"
    amp = next(l for l in lines if l.startswith("| `amp_mV`"))
    assert amp.split("|")[2].strip() == "5" and "live" in amp
    assert len(lines) == 2 + len(kitchen.specs)


# -- run --------------------------------------------------------------------------------
def test_run_json_is_one_object_with_the_documented_keys(capsys, kitchen):
    code, out, err = run_cli(capsys, "run", "kitchen", "--preset", "big", "--set", "amp_mV=2.5",
                             "--seed", "3", "--duration", "20", "--json")
    assert code == 0 and err == ""
    assert out.count("\n") == 1
    record = json.loads(out)
    assert list(record) == ["lab", "preset", "seed", "duration_ms", "params", "metrics"]
    assert record["lab"] == "kitchen" and record["preset"] == "big" and record["seed"] == 3
    assert record["duration_ms"] == 20.0
    assert record["params"] == {**kitchen.resolve_params("big"), "amp_mV": 2.5}
    assert record["metrics"]["count"] == 40  # 20 ms at dt 0.5 ms
    assert record["metrics"]["nested"] == [[1.0, 2.0], [3.0, None]]  # NaN -> null


def test_run_json_uses_preset_seed_and_duration(capsys, kitchen):
    _, out, _ = run_cli(capsys, "run", "kitchen", "--preset", "big", "--json")
    record = json.loads(out)
    assert record["seed"] == 7 and record["duration_ms"] == 50.0


def test_run_json_is_strict_json_for_every_real_lab(capsys):
    for lab in REAL_LABS:
        code, out, _ = run_cli(capsys, "run", lab, "--json", "--duration", "50")
        assert code == 0
        json.loads(out, parse_constant=lambda c: pytest.fail(f"{lab}: {c} in JSON"))


def test_run_summary_without_plot(capsys, kitchen):
    code, out, _ = run_cli(capsys, "run", "kitchen", "--no-plot")
    assert code == 0
    assert "preset basic | seed 0 | 100 ms simulated" in out
    assert "mean_mV" in out and " mV" in out
    assert "this is a fake lab" in out
    assert "└" not in out  # no chart frame


def test_run_plot_draws_every_series_kind(capsys, kitchen):
    code, out, _ = run_cli(capsys, "run", "kitchen", "--plot", "--set", "blowup=on")
    assert code == 0
    for spec in kitchen.series_specs:
        assert spec.title in out
    assert "non-finite" in out  # sanitised, and said so
    assert "\x1b[" not in out  # not a terminal: no colour codes


def test_run_out_writes_files_and_replays_identically(capsys, kitchen, tmp_path):
    out_dir = tmp_path / "exp"
    code, out, _ = run_cli(capsys, "run", "kitchen", "--preset", "big", "--set", "amp_mV=3.3",
                           "--set", "mode=b", "--seed", "11", "--out", str(out_dir), "--json")
    assert code == 0
    first = json.loads(out)
    names = sorted(p.name for p in out_dir.iterdir())
    assert names == sorted(["experiment.toml", "metrics.json", "series.npz"]
                           + [f"{s.name}.csv" for s in kitchen.series_specs])
    assert json.loads((out_dir / "metrics.json").read_text()) == first
    for config in (out_dir / "experiment.toml", out_dir):
        code, out, _ = run_cli(capsys, "run", "--config", str(config), "--json")
        assert code == 0
        assert json.loads(out) == first
    # --seed and --set override the config; the rest is kept
    code, out, _ = run_cli(capsys, "run", "--config", str(out_dir), "--seed", "12", "--set", "noisy=off", "--json")
    again = json.loads(out)
    assert again["seed"] == 12 and again["params"]["noisy"] is False
    assert again["params"]["amp_mV"] == 3.3 and again["params"]["mode"] == "b"


@pytest.mark.parametrize("lab", REAL_LABS)
def test_real_lab_replay_gives_identical_metrics(capsys, tmp_path, lab):
    lab_cls = all_labs()[lab]
    preset = lab_cls.presets[-1].name
    code, out, _ = run_cli(capsys, "run", lab, "--preset", preset, "--seed", "4", "--duration", "100",
                           "--out", str(tmp_path / "x"), "--json")
    assert code == 0
    code, again, _ = run_cli(capsys, "run", "--config", str(tmp_path / "x" / "experiment.toml"), "--json")
    assert code == 0 and json.loads(again) == json.loads(out)


# -- bad input: exit 2, one line on stderr naming the parameter, nothing written ---------
BAD = [
    (["run", "nosuchlab"], "lab"),
    (["run", "kitchen", "--preset", "bigg"], "did you mean 'big'"),
    (["run", "kitchen", "--set", "amp=3"], "did you mean 'amp_mV'"),
    (["run", "kitchen", "--set", "amp_mV=300"], "amp_mV: out of range: expected a number in [0, 100] mV"),
    (["run", "kitchen", "--set", "amp_mV=-1"], "amp_mV: out of range"),
    (["run", "kitchen", "--set", "amp_mV=nan"], "amp_mV: must be finite"),
    (["run", "kitchen", "--set", "amp_mV=inf"], "amp_mV: must be finite"),
    (["run", "kitchen", "--set", "amp_mV=abc"], "amp_mV: expected a number"),
    (["run", "kitchen", "--set", "n_cells=2.5"], "n_cells: expected an integer"),
    (["run", "kitchen", "--set", "mode=c"], "mode: expected one of a, b"),
    (["run", "kitchen", "--set", "noisy=maybe"], "noisy: expected true or false"),
    (["run", "kitchen", "--set", "amp_mV"], "--set: expected NAME=VALUE"),
    (["run", "kitchen", "--set", "=3"], "--set: expected NAME=VALUE"),
    (["run", "kitchen", "--set", "mode=b", "--set", "n_cells=20"], "n_cells: mode b allows"),
    (["run", "kitchen", "--duration", "0"], "--duration: out of range"),
    (["run", "kitchen", "--duration", "-5"], "--duration: out of range"),
    (["run", "kitchen", "--duration", "nan"], "--duration: must be finite"),
    (["run", "kitchen", "--duration", "inf"], "--duration: must be finite"),
    (["run", "kitchen", "--duration", "1e400"], "--duration: out of range: expected a number of ms in (0, 3600000], got '1e400'"),
    (["run", "kitchen", "--duration", "9" * 500], "--duration: out of range: expected a number of ms in (0, 3600000], "
                                                   "got a 500-digit number"),
    (["run", "kitchen", "--duration", "1e9"], "one hour"),
    (["run", "kitchen", "--duration", "ten"], "--duration: expected a number of ms"),
    (["run", "kitchen", "--duration", "0.1"], "shorter than one time step"),
    (["run", "kitchen", "--seed", "-1"], "seed: expected an integer in [0, 4294967295]"),
    (["run", "kitchen", "--seed", "1.5"], "seed: expected an integer"),
    (["run", "kitchen", "--seed", "4294967296"], "seed: expected an integer"),
    (["run", "kitchen", "--seed", "x"], "seed: expected an integer"),
    (["run"], "lab: give a lab name"),
    (["presets", "nosuchlab"], "lab: unknown lab"),
    (["params", "kitchn"], "lab: unknown lab"),
    (["params", "kitchen", "--preset", "nope"], "preset: unknown preset"),
    (["run", "kitchen", "--config", "/nonexistent/experiment.toml"], "no such file"),
]


@pytest.mark.parametrize("argv,expected", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(capsys, kitchen, tmp_path, argv, expected):
    out_dir = tmp_path / "out"
    extra = ["--out", str(out_dir)] if argv[0] == "run" else []
    code, out, err = run_cli(capsys, *argv, *extra)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("hebblab: error: ")
    assert expected in err
    assert "Traceback" not in err
    assert not out_dir.exists()
    assert list(tmp_path.iterdir()) == []


CONFIGS = {
    "bad_toml.toml": ('lab = "kitchen"\n[params]\namp_mV = = 3\n', "invalid TOML: Invalid value (at line 3"),
    "unknown_key.toml": ('lab = "kitchen"\nsed = 3\n', ":2: unknown key 'sed'"),
    "no_lab.toml": ('seed = 3\n', "missing key 'lab'"),
    "lab_type.toml": ('lab = 3\n', ":1: lab: expected a lab name"),
    "bad_lab.toml": ('lab = "kitchn"\n', ":1: lab: unknown lab 'kitchn'"),
    "bad_preset.toml": ('lab = "kitchen"\npreset = "huge"\n', ":2: preset: unknown preset 'huge'"),
    "seed_type.toml": ('lab = "kitchen"\nseed = "7"\n', ":2: seed: expected an integer"),
    "seed_range.toml": ('lab = "kitchen"\nseed = -7\n', ":2: seed: expected an integer in [0,"),
    "duration.toml": ('lab = "kitchen"\nduration_ms = 0\n', ":2: duration_ms: out of range"),
    "duration_type.toml": ('lab = "kitchen"\nduration_ms = "long"\n', ":2: duration_ms: expected a number"),
    "duration_inf.toml": ('lab = "kitchen"\nduration_ms = inf\n', ":2: duration_ms: must be finite"),
    "params_table.toml": ('lab = "kitchen"\nparams = 3\n', ":2: params: expected a table"),
    "param_name.toml": ('lab = "kitchen"\n[params]\nampmV = 3\n', ":3: [params] ampmV: unknown parameter"),
    "param_range.toml": ('lab = "kitchen"\n\n[params]\ndt_ms = 0.5\namp_mV = 1e3\n', ":5: [params] amp_mV: out of range"),
    "param_nan.toml": ('lab = "kitchen"\n[params]\namp_mV = nan\n', ":3: [params] amp_mV: must be finite"),
    "param_type.toml": ('lab = "kitchen"\n[params]\nnoisy = "yes"\n', ":3: [params] noisy: expected true or false"),
    "param_int.toml": ('lab = "kitchen"\n[params]\nn_cells = 2.5\n', ":3: [params] n_cells: expected an integer"),
    "cross_check.toml": ('lab = "kitchen"\n[params]\nmode = "b"\nn_cells = 30\n', "n_cells: mode b allows"),
}


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_malformed_config_says_where(capsys, kitchen, tmp_path, name):
    text, expected = CONFIGS[name]
    config = tmp_path / name
    config.write_text(text)
    out_dir = tmp_path / "out"
    code, out, err = run_cli(capsys, "run", "--config", str(config), "--out", str(out_dir))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("hebblab: error: ")
    assert expected in err
    if "cross_check" not in name:
        assert str(config) in err
    assert not out_dir.exists()


def test_config_conflicts(capsys, kitchen, tmp_path):
    config = tmp_path / "experiment.toml"
    config.write_text('lab = "kitchen"\n')
    code, _, err = run_cli(capsys, "run", "hebb", "--config", str(config))
    assert code == 2 and "lab: the command line says 'hebb'" in err
    code, _, err = run_cli(capsys, "run", "--config", str(config), "--preset", "big")
    assert code == 2 and "--preset: cannot be combined with --config" in err
    code, out, _ = run_cli(capsys, "run", "kitchen", "--config", str(config), "--json")
    assert code == 0 and json.loads(out)["lab"] == "kitchen"


def test_out_dir_in_the_way(capsys, kitchen, tmp_path):
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("mine")
    code, out, err = run_cli(capsys, "run", "kitchen", "--out", str(full))
    assert code == 2 and out == "" and "--out:" in err and "not empty" in err
    assert [p.name for p in full.iterdir()] == ["keep.txt"]
    a_file = tmp_path / "file"
    a_file.write_text("x")
    code, _, err = run_cli(capsys, "run", "kitchen", "--out", str(a_file))
    assert code == 2 and "not a directory" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, _ = run_cli(capsys, "run", "kitchen", "--out", str(empty), "--json")
    assert code == 0 and (empty / "experiment.toml").exists()


def test_failed_write_leaves_nothing(capsys, kitchen, tmp_path, monkeypatch):
    def broken_savez(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", broken_savez)
    code, out, err = run_cli(capsys, "run", "kitchen", "--out", str(tmp_path / "out"), "--json")
    assert code == 2 and out == ""  # no JSON for a run whose files were not written
    assert err == f"hebblab: error: --out: cannot write {tmp_path / 'out'}: disk full\n"
    assert list(tmp_path.iterdir()) == []  # neither the dir nor its temp twin


def test_argparse_usage_errors_exit_2(capsys):
    code, out, err = run_cli(capsys, "run", "hebb", "--bogus")
    assert code == 2 and "unrecognized arguments: --bogus" in err
    code, _, _ = run_cli(capsys, "nosuchcommand")
    assert code == 2
    code, out, _ = run_cli(capsys, "--version")
    assert code == 0 and out.startswith("hebblab ")


# -- the default action and command discovery ---------------------------------------------
class _FakeModule:
    def __init__(self, name):
        self.__name__ = f"hebblab.cli.commands.{name}"


def test_default_argv_is_headless_without_a_terminal(monkeypatch):
    mods = [_FakeModule("run"), _FakeModule("tui")]
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    assert cli.default_argv(mods) == ["run", "lif", "--preset", "chapter"]


def test_default_argv_opens_the_tui_on_a_terminal(monkeypatch):
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    assert cli.default_argv([_FakeModule("run"), _FakeModule("tui")]) == ["tui"]
    assert cli.default_argv([_FakeModule("run")]) == ["run", "lif", "--preset", "chapter"]


def test_every_command_module_registers():
    files = {p.stem for p in Path(cli.__file__).with_name("commands").glob("*.py") if not p.stem.startswith("_")}
    found = {m.__name__.rsplit(".", 1)[-1] for m in cli.command_modules()}
    assert found == files
    assert {"labs", "presets", "params", "run"} <= found


# -- a real process: the console script path, no traceback ----------------------------------
def _hebblab(*argv, **kw):
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run([sys.executable, "-m", "hebblab", *argv], capture_output=True, text=True,
                          env=env, timeout=120, **kw)


def test_process_bad_input_exit_2_one_line(tmp_path):
    lab = REAL_LABS[0]
    spec = all_labs()[lab].specs[0]
    proc = _hebblab("run", lab, "--set", f"{spec.name}=oops", "--out", str(tmp_path / "o"))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith(f"hebblab: error: {spec.name}: ") and proc.stderr.count("\n") == 1
    assert not (tmp_path / "o").exists()


def test_process_no_args_runs_the_chapter_lif_headless():
    proc = _hebblab(stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("lif") and "preset chapter" in proc.stdout
