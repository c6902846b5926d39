"""`hebblab run/sweep ... --engine nest [--threads N]`: the experiment run by NEST in this
process, cross-checked against hebblab's engine (skips where nest is not importable; CI
runs it in the engines' venv, where nothing here may skip). The error tests run
everywhere: they hide nest or fail before it is needed.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys

import pytest

from hebblab.cli.main import main
from tests import engine_reference as ref

needs_nest = pytest.mark.skipif(not ref.importable("nest"), reason="nest not importable here")


def cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def nest_json(argv: list[str]) -> dict:
    code, out, err = cli([*argv, "--engine", "nest", "--json"])
    assert code == 0, err
    assert out.count("\n") == 1  # one JSON object and nothing else (no NEST banner)
    return json.loads(out)


# -- errors (no NEST needed) ----------------------------------------------------------------
@pytest.mark.parametrize("argv,message", [
    (["run", "ei", "--threads", "2"], "--threads: only with --engine nest"),
    (["run", "ei", "--engine", "nest", "--threads", "0"], "--threads: expected an integer in [1, 256], got '0'"),
    (["run", "ei", "--engine", "nest", "--threads", "x"], "--threads: expected an integer in [1, 256], got 'x'"),
    (["run", "ei", "--engine", "nest", "--out", "d"], "--out: not available with --engine nest"),
    (["run", "ei", "--engine", "nest", "--nwb", "r.nwb"], "--nwb: not available with --engine nest"),
    (["run", "ei", "--engine", "nest", "--plot"], "--plot: not available with --engine nest"),
    (["run", "ei", "--engine", "nset"], "argument --engine: invalid choice: 'nset'"),
    (["sweep", "ei", "--vary", "inh_gain=0.5:1:0.5", "--threads", "2"], "--threads: only with --engine nest"),
])
def test_bad_engine_flags_are_one_line_and_exit_2(argv, message):
    code, out, err = cli(argv)
    assert code == 2 and out == "" and err.startswith(f"hebblab: error: {message}") and err.count("\n") == 1


def test_without_nest_one_line_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "nest", None)
    code, out, err = cli(["run", "ei", "--engine", "nest"])
    assert code == 2 and out == ""
    assert err == ("hebblab: error: --engine nest: needs nest, which is not installed here; install the "
                   "'nest' extra: pip install 'hebblab[nest]'\n")


def test_a_lab_nest_has_no_model_of_is_one_line():
    code, _, err = cli(["run", "hebb", "--engine", "nest"])
    assert code == 2 and err == ("hebblab: error: --engine: nest has no model of lab 'hebb' here; "
                                 "--engine nest runs lif, ei, stdp\n")


def test_the_numpy_cap_does_not_apply_to_engine_nest():
    """Planning gets past the synapse cap (the run then stops at the bad seed, before NEST)."""
    big = ["run", "ei", "--set", "n_cells=50000", "--set", "in_degree=2000", "--seed", "x"]
    code, _, err = cli(big)
    assert code == 2 and err.startswith("hebblab: error: in_degree: n_cells x in_degree gives 1e+08 synapses")
    assert "--engine nest" in err
    code, _, err = cli([*big, "--engine", "nest"])
    assert code == 2 and err.startswith("hebblab: error: seed: expected an integer")


# -- with NEST ---------------------------------------------------------------------------------
@needs_nest
def test_run_engine_nest_lif_spike_times_within_one_dt():
    record = nest_json(["run", "lif", "--preset", "exact"])
    assert record["engine"] == "nest" and record["threads"] == 1 and record["preset"] == "exact"
    ours = ref.hebblab_metrics("lif", "exact", 0, 300.0)
    ref.assert_spike_times_within_one_dt(ours, record["metrics"], 0.1)


@needs_nest
def test_run_engine_nest_ei_rates_within_10_percent_over_seeds_and_the_runaway():
    seeds = ref.EI_SEEDS[:4]  # half of the script's check (same code: see the next test); CI time
    ours = [ref.hebblab_metrics("ei", ref.EI_PRESET, s, ref.EI_MS) for s in seeds]
    theirs = [nest_json(["run", "ei", "--preset", ref.EI_PRESET, "--seed", str(s), "--duration", f"{ref.EI_MS:g}"])
              ["metrics"] for s in seeds]
    print("nest (in process) ei relative differences:", ref.assert_ei_rates_agree(ours, theirs))
    wild = nest_json(["run", "ei", "--preset", "no-inhibition", "--set", "n_cells=1000", "--threads", "2"])
    assert wild["threads"] == 2
    ref.assert_runaway(ref.hebblab_metrics("ei", "no-inhibition", 0, 500.0, (("n_cells", 1000),)), wild["metrics"])


@needs_nest
def test_run_engine_nest_equals_the_exported_script(tmp_path):
    """Same seed, same threads: the NEST-backed run and the exported script are one model."""
    for lab, preset, duration in (("ei", "small", 200.0), ("stdp", "song2000", 2000.0)):
        record = nest_json(["run", lab, "--preset", preset, "--seed", "5", "--duration", f"{duration:g}"])
        script = ref.export(tmp_path, lab, "nest", preset, duration)
        assert ref.run_script(script, 5) == record["metrics"]


@needs_nest
def test_run_engine_nest_json_is_one_line_from_a_fresh_process():
    """NEST's banner and messages must not reach stdout (checked where NEST was not loaded yet)."""
    import subprocess

    proc = subprocess.run([sys.executable, "-m", "hebblab", "run", "lif", "--engine", "nest", "--json"],
                          capture_output=True, text=True, timeout=300,
                          env={k: v for k, v in os.environ.items() if k != "PYNEST_QUIET"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("\n") == 1 and json.loads(proc.stdout)["metrics"]["spike_count"] == 5


@needs_nest
def test_run_engine_nest_summary_names_nest_and_the_threads():
    code, out, err = cli(["run", "ei", "--preset", "small", "--duration", "100", "--engine", "nest",
                          "--threads", "2"])
    assert code == 0, err
    assert "simulated in NEST 3" in out and "(2 threads)" in out and "rate_mean_hz" in out


@needs_nest
def test_sweep_engine_nest_runs_each_point_as_run_engine_nest():
    code, out, err = cli(["sweep", "ei", "--preset", "small", "--vary", "inh_gain=0.5:1.0:0.5", "--duration",
                          "200", "--engine", "nest", "--jobs", "2", "--json"])
    assert code == 0, err
    points = json.loads(out)["points"]
    assert [p["params"]["inh_gain"] for p in points] == [0.5, 1.0] and all(p["error"] is None for p in points)
    for p in points:
        single = nest_json(["run", "ei", "--preset", "small", "--duration", "200", "--set",
                            f"inh_gain={p['params']['inh_gain']}"])["metrics"]
        assert p["metrics"] == {k: v for k, v in single.items() if not isinstance(v, list)}
    assert points[0]["metrics"]["rate_mean_hz"] > points[1]["metrics"]["rate_mean_hz"]  # less inhibition


@needs_nest
def test_sweep_engine_nest_reports_a_failing_point_and_goes_on():
    code, out, err = cli(["sweep", "ei", "--preset", "small", "--vary", "V_reset_mV=-60:-50:10", "--duration",
                          "100", "--engine", "nest", "--jobs", "1", "--json"])
    assert code == 0, err
    first, second = json.loads(out)["points"]
    assert first["error"] is None and first["metrics"]["rate_mean_hz"] > 0
    assert second["error"].startswith("V_reset_mV: must be below V_thresh_mV")
    assert "1 of 2 points failed" in err
