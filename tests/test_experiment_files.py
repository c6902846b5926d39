"""experiment_files: what `--out` writes (per chart kind), exact TOML round trips, config errors."""

from __future__ import annotations

import csv
import json
import math
import tomllib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests import cli_kitchen_lab
from tests.cli_kitchen_lab import KitchenLab
from hebblab.errors import UsageError
from hebblab.runfiles import (config_overrides, load_config, run_record, write_run, check_out_dir,
                                  _line_of)


@pytest.fixture
def lab(monkeypatch):
    cli_kitchen_lab.install(monkeypatch)
    lab = KitchenLab({"amp_mV": 2.0, "blowup": True}, seed=9, preset="big")
    lab.run(20.0)
    return lab


def _csv(path):
    with path.open(newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def test_files_and_csv_columns_by_kind(lab, tmp_path):
    out = write_run(lab, tmp_path / "run")
    header, rows = _csv(out / "v.csv")
    assert header == ["time (ms)", "V (mV)"] and len(rows) == 40
    assert float(rows[0][0]) == 0.5 and rows[1][1] == "nan"  # NaN kept in data files, only charts hide it
    header, rows = _csv(out / "spikes.csv")
    assert header == ["time (ms)", "cell"]
    header, rows = _csv(out / "w.csv")
    assert header == ["row", "col0", "col1"] and rows[0] == ["0", "0.1", "-0.2"]
    header, rows = _csv(out / "fi.csv")
    assert header == ["part", "I (nA)", "rate (Hz)"]
    parts = [r[0] for r in rows]
    assert parts.count("measured") == 3 and parts.count("theory") == 50 and parts[-1] == "now"
    header, rows = _csv(out / "b.csv")
    assert header == ["label", "value"] and [r[0] for r in rows] == ["a", "b", "c"]
    header, rows = _csv(out / "h.csv")
    assert header == ["value"] and len(rows) == 40
    series = lab.series()
    with np.load(out / "series.npz") as npz:
        np.testing.assert_array_equal(npz["v.y"], series["v"].y)
        np.testing.assert_array_equal(npz["v.x"], series["v"].x)
        np.testing.assert_array_equal(npz["fi.overlay.theory.y"], series["fi"].overlays["theory"][1])
        assert list(npz["fi.marker.now"]) == [2.0, 5.0]
        assert float(npz["v.hline.threshold"]) == 0.5


def test_metrics_json_is_strict_and_equals_the_run_record(lab, tmp_path):
    out = write_run(lab, tmp_path / "run")
    text = (out / "metrics.json").read_text()
    data = json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} in metrics.json"))
    assert data == json.loads(json.dumps(run_record(lab)))
    assert data["duration_ms"] == 20.0 and data["seed"] == 9 and data["preset"] == "big"


def test_experiment_toml_round_trips_exactly(lab, tmp_path):
    out = write_run(lab, tmp_path / "run", note="params changed mid-run")
    cfg = load_config(out / "experiment.toml")
    assert (cfg.lab, cfg.preset, cfg.seed, cfg.duration_ms) == ("kitchen", "big", 9, 20.0)
    assert cfg.note == "params changed mid-run"
    assert config_overrides(KitchenLab, cfg) == lab.params
    raw = tomllib.loads((out / "experiment.toml").read_text())
    assert raw["hebblab_version"]


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=0.0, max_value=100.0, allow_nan=False), st.integers(1, 10),
       st.floats(min_value=0.01, max_value=10.0))
def test_any_valid_params_survive_the_toml_round_trip_bit_for_bit(amp, n, dt):
    import tomli_w

    params = KitchenLab.resolve_params(None, {"amp_mV": amp, "n_cells": n, "dt_ms": dt})
    back = tomllib.loads(tomli_w.dumps({"params": params}))["params"]
    assert back == params
    assert all(type(back[k]) is type(v) for k, v in params.items())


def test_partial_write_is_cleaned_up(lab, tmp_path, monkeypatch):
    monkeypatch.setattr(np, "savez", lambda *a, **k: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError):
        write_run(lab, tmp_path / "run")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(OSError):
        write_run(lab, tmp_path / "new" / "parents" / "run")
    assert list(tmp_path.iterdir()) == []  # parents it created are gone too


def test_nested_new_dir_and_empty_dir(lab, tmp_path):
    assert (write_run(lab, tmp_path / "a" / "b") / "series.npz").exists()
    (tmp_path / "empty").mkdir()
    assert (write_run(lab, tmp_path / "empty") / "metrics.json").exists()
    with pytest.raises(UsageError, match="not empty"):
        check_out_dir(tmp_path / "empty")


def test_load_config_errors_name_file_line_and_key(tmp_path):
    path = tmp_path / "e.toml"
    path.write_text('lab = "x"\n\n[params]\n# comment\n"tau_ms" = 3\n')
    cfg = load_config(path)
    assert cfg.where("tau_ms", "params") == f"{path}:5"
    assert cfg.where("lab") == f"{path}:1"
    assert cfg.where("missing") == str(path)
    path.write_text('lab = "x"\n[params\n')
    with pytest.raises(UsageError, match=r"e\.toml: invalid TOML: .*line 2"):
        load_config(path)
    path.write_bytes(b"lab = '\xff'\n")
    with pytest.raises(UsageError, match="cannot read"):
        load_config(path)


def test_line_of_respects_tables():
    text = "seed = 1\n[params]\nseed = 2\n[other]\nx = 1\n"
    assert _line_of(text, "seed", None) == 1
    assert _line_of(text, "seed", "params") == 3
    assert _line_of(text, "x", "params") is None


def test_run_and_sweep_write_through_the_one_atomic_writer(tmp_path, monkeypatch, capsys):
    """One writer (write_atomically) for every results directory: what it promises (all or
    nothing, cleanup on interruption, checks before the run) holds for each command."""
    import hebblab.runfiles as runfiles
    from hebblab.cli.main import main

    calls = []
    real = runfiles.write_atomically

    def spy(out_dir, fill, option="--out"):
        calls.append(Path(out_dir).name)
        return real(out_dir, fill, option)

    monkeypatch.setattr(runfiles, "write_atomically", spy)
    assert main(["run", "lif", "--duration", "20", "--out", str(tmp_path / "run"), "--json"]) == 0
    assert main(["sweep", "lif", "--vary", "I_ext_nA=1:2:1", "--duration", "20", "--jobs", "1",
                 "--out", str(tmp_path / "sweep"), "--json"]) == 0
    assert calls == ["run", "sweep"]
    assert sorted(p.name for p in (tmp_path / "sweep").iterdir()) == ["sweep.csv", "sweep.json"]


def test_write_atomically_leaves_nothing_when_fill_is_interrupted(tmp_path):
    from hebblab.runfiles import write_atomically

    def fill(tmp):
        (tmp / "half.csv").write_text("1,2\n")
        raise KeyboardInterrupt  # ctrl+c, or TERM/HUP through hebblab.interrupts

    with pytest.raises(KeyboardInterrupt):
        write_atomically(tmp_path / "made" / "for" / "it", fill)
    assert list(tmp_path.iterdir()) == []


def test_temp_dir_name_fits_for_the_longest_allowed_name(tmp_path):
    from hebblab.runfiles import write_atomically

    seen = []
    out = write_atomically(tmp_path / ("é" * 127), lambda tmp: seen.append(tmp.name))  # 254 bytes
    assert out.is_dir() and len(seen[0].encode()) <= 255 and seen[0].startswith(".é")
