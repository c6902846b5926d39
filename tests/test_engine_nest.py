"""`hebblab run/sweep ... --engine nest [--threads N]`: the experiment run by NEST in this
process, cross-checked against hebblab's engine (skips where nest is not importable; CI
runs it in the engines' venv, where nothing here may skip). The error tests run
everywhere: they hide nest or fail before it is needed. hebblab's NEST module
(hebblab/engines/nest_module: transmit-first pair STDP) is checked against hand-computed
weights; where nest is importable the module must be built (`python -m
hebblab.engines.nest_module`, as CI does): its tests fail, not skip, without it.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import subprocess
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


def test_module_build_without_cmake_is_one_line_and_exit_2():
    if os.path.exists(os.path.join(os.path.dirname(sys.executable), "cmake")):
        pytest.skip("cmake is installed beside this Python")
    env = {**os.environ, "PATH": ""}  # no cmake on PATH, none beside this Python
    proc = subprocess.run([sys.executable, "-m", "hebblab.engines.nest_module"], capture_output=True, text=True,
                          env=env, timeout=60)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("hebblab: error: nest_module: needs cmake (cmake), which is not found")
    assert "python -m hebblab.engines.nest_module" in proc.stderr and proc.stderr.count("\n") == 1


def test_the_module_build_passes_the_header_directories_nest_config_names(tmp_path):
    """A NEST built with MPI includes mpi.h in its own headers, from MPI's directory: the
    build must see that directory (it failed with `mpi.h: No such file` before); not a
    missing one, not the system's, not NEST's own twice."""
    from hebblab.engines.nest_module import named_includes, other_includes

    nest_dir, mpi_dir = tmp_path / "include" / "nest", tmp_path / "openmpi" / "include"
    nest_dir.mkdir(parents=True)
    mpi_dir.mkdir(parents=True)
    config = tmp_path / "nest-config"
    config.write_text(f"#!/bin/sh\necho ' -I{nest_dir} -I/usr/include -I{mpi_dir} -I{tmp_path}/gone -I{mpi_dir} '\n")
    config.chmod(0o755)
    assert other_includes(named_includes(str(config)), nest_dir) == [str(mpi_dir)]


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


# -- hebblab's NEST module ---------------------------------------------------------------------
def install_module(nest) -> None:
    """Load hebblabmodule into a fresh kernel; fail (never skip) if it is not built."""
    from hebblab.engines.nest_module import MODULE, module_dir

    path = module_dir() / MODULE
    assert path.with_suffix(".so").exists(), f"{path}.so missing: build it with python -m hebblab.engines.nest_module"
    nest.Install(str(path))


def recorded_weights(model: str) -> tuple[list, float]:
    """One plastic synapse between two parrots, output spikes forced at 11 and 30 ms, input
    spikes at 21 and 41 ms (spike generators, delay 1 ms): the weights the synapse
    transmitted (weight_recorder: the event's weight) and the weight it keeps at the end."""
    import nest

    nest.ResetKernel()
    nest.verbosity = nest.VerbosityLevel.ERROR
    nest.resolution = 0.1
    install_module(nest)
    pre_gen = nest.Create("spike_generator", params={"spike_times": [20.0, 40.0]})
    post_gen = nest.Create("spike_generator", params={"spike_times": [10.0, 29.0]})
    pre, post = nest.Create("parrot_neuron"), nest.Create("parrot_neuron", params={"tau_minus": 20.0})
    nest.Connect(pre_gen, pre, syn_spec={"delay": 1.0})
    nest.Connect(post_gen, post, syn_spec={"delay": 1.0})
    recorder = nest.Create("weight_recorder")
    nest.CopyModel(model, "recorded", {"weight_recorder": recorder})
    # receptor 1: the post parrot keeps the spike for STDP but does not repeat it
    nest.Connect(pre, post, syn_spec={"synapse_model": "recorded", "weight": 5.0, "delay": 1.0, "receptor_type": 1,
                                     "tau_plus": 20.0, "lambda": 0.01, "alpha": 1.05, "mu_plus": 0.0,
                                     "mu_minus": 0.0, "Wmax": 10.0})
    pre_spikes, post_spikes = nest.Create("spike_recorder"), nest.Create("spike_recorder")
    nest.Connect(pre, pre_spikes)
    nest.Connect(post, post_spikes)
    nest.Simulate(60.0)
    assert list(pre_spikes.events["times"]) == [21.0, 41.0] and list(post_spikes.events["times"]) == [11.0, 30.0]
    assert list(recorder.events["times"]) == [21.0, 41.0]
    return list(recorder.events["weights"]), nest.GetConnections(pre, post).get("weight")


def pair_stdp_by_hand(nearest: bool) -> tuple[list, list, float]:
    """Additive pair STDP (w0 5, Wmax 10, lambda 0.01, alpha 1.05, tau 20 ms, delay d = 1 ms,
    which NEST counts as dendritic: the synapse sees an output spike at t_post + d and
    reads the output's trace at t_pre - d). Returns (transmitted first, transmitted NEST's
    way, final weight).
      input 21: LTD by the output spike at 11: K_minus = exp(-(20 - 11) / 20)
      input 41: LTP by the output spike at 30 against the input at 21: exp(-(31 - 21) / 20),
                then LTD: all-to-all exp(-(40 - 11) / 20) + exp(-(40 - 30) / 20), nearest the last only.
    Nearest pairing as NEST's stdp_nn_symm_synapse: before its first input the synapse pairs
    the output spike at 11 with a last input at t = 0 (LTP exp(-(12 - 0) / 20))."""
    step_plus, step_minus = 10.0 * 0.01, 10.0 * 0.01 * 1.05  # Wmax * lambda, Wmax * alpha * lambda
    w = 5.0 + (step_plus * math.exp(-12 / 20) if nearest else 0.0)
    sent_first = [w]
    w -= step_minus * math.exp(-9 / 20)
    sent_nest = [w]
    w += step_plus * math.exp(-10 / 20)
    sent_first.append(w)
    w -= step_minus * (math.exp(-10 / 20) + (0.0 if nearest else math.exp(-29 / 20)))
    sent_nest.append(w)
    return sent_first, sent_nest, w


@needs_nest
@pytest.mark.parametrize("nearest,ours,nests", [
    (False, "stdp_transmit_first_synapse", "stdp_synapse"),
    (True, "stdp_nn_symm_transmit_first_synapse", "stdp_nn_symm_synapse"),
])
def test_module_synapse_transmits_the_weight_before_the_spikes_depression(nearest, ours, nests):
    """Ours transmits each input spike with the weight it had before that spike's LTD and
    keeps the depressed weight; NEST's own transmits the depressed one. Same final weight."""
    sent_first, sent_nest, final = pair_stdp_by_hand(nearest)
    sent, kept = recorded_weights(ours)
    assert sent == pytest.approx(sent_first, abs=1e-12) and kept == pytest.approx(final, abs=1e-12)
    sent, kept = recorded_weights(nests)
    assert sent == pytest.approx(sent_nest, abs=1e-12) and kept == pytest.approx(final, abs=1e-12)
    assert sent_first[0] - sent_nest[0] > 0.05  # the order matters here by more than the tolerance


@needs_nest
def test_run_engine_nest_stdp_names_its_synapse_and_falls_back_in_one_line(monkeypatch):
    record = nest_json(["run", "stdp", "--duration", "200"])
    assert record["metrics"]["synapse"] == "stdp_transmit_first_synapse"
    assert nest_json(["run", "stdp", "--duration", "200", "--set", "spike_pairing=nearest"])["metrics"]["synapse"] \
        == "stdp_nn_symm_transmit_first_synapse"
    assert nest_json(["run", "stdp", "--duration", "200", "--set", "freeze=true"])["metrics"]["synapse"] \
        == "static_synapse"

    from hebblab.engines.templates import nest_stdp

    monkeypatch.setattr(nest_stdp, "MODULE", "hebblab_no_such_module")
    code, out, err = cli(["run", "stdp", "--duration", "200", "--engine", "nest", "--json"])
    assert code == 0 and json.loads(out)["metrics"]["synapse"] == "stdp_synapse"
    assert err.count("\n") == 1 and err.startswith("hebblab: warning: NEST module hebblab_no_such_module not loaded")
    assert "python -m hebblab.engines.nest_module" in err and "depresses a synapse before it transmits" in err
