"""The benchmark harness (benchmarks/run.py) runs, reports missing labs/Brian2, never crashes.

Timing numbers are not checked (no wall-clock asserts); only that the table and the goal
lines appear, and that what cannot run is named instead of raising.
"""

from __future__ import annotations

import sys

import pytest

from benchmarks import run as bench


def test_quick_hebblab_only_run_prints_table_and_goals(capsys):
    code = bench.main(["--quick", "--no-brian2", "--only", "w1", "--repeat", "1"])
    out = capsys.readouterr().out
    assert code == 0
    assert "Brian2: skipped (--no-brian2)" in out
    assert "W1 lif chapter neuron, 10 s" in out and "isi_rate_hz=19" in out  # 18.98 Hz (Euler)
    assert "W1: hebblab loop per 100 s simulated (goal <= 0.5 s)" in out


def test_missing_lab_is_reported_not_raised(monkeypatch, capsys):
    fake = bench.Workload("W1", "no such lab", "nosuchlab", None, {}, 10.0, 10.0)
    monkeypatch.setitem(bench.WORKLOADS, "W1", fake)
    assert "lab 'nosuchlab' not available" in bench.lab_available(fake)
    code = bench.main(["--quick", "--no-brian2", "--only", "W1", "--repeat", "1"])
    out = capsys.readouterr().out
    assert code == 0
    assert "lab 'nosuchlab' not available" in out
    assert "W1: hebblab not measured" in out


def test_interpreter_without_brian2_is_reported(capsys, tmp_path):
    stub = tmp_path / "python_without_brian2"
    stub.write_text(f"#!/bin/sh\nexec {sys.executable} -S -c 'import brian2' \"$@\"\n")
    stub.chmod(0o755)
    ok, _, reason = bench.probe_brian2(str(stub))
    assert not ok and "brian2" in reason
    code = bench.main(["--quick", "--only", "W1", "--repeat", "1", "--brian2-python", str(stub)])
    out = capsys.readouterr().out
    assert code == 0 and "not importable" in out and "Brian2 columns skipped" in out


def test_bad_options_exit_2(capsys):
    for argv in (["--only", "W9"], ["--repeat", "0"]):
        with pytest.raises(SystemExit) as exc:
            bench.main(argv)
        assert exc.value.code == 2
