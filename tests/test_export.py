"""`hebblab export LAB --to brian2|nest`: the command, the scripts it writes, and the scripts
run against hebblab's own engine (cross-checks; they skip where the engine is not
importable, and CI runs them in the engines' own virtual environments: .ci/run).

Measured here (and quoted in the README's "Outgrowing the lab"): see tests/engine_reference.py
for the sizes and the tolerances.
"""

from __future__ import annotations

import ast
import contextlib
import io
import re
import sys
from pathlib import Path

import pytest

from hebblab.cli.main import main
from hebblab.engines.export import LABS, template_source
from hebblab.sim.labs import get_lab
from tests import engine_reference as ref

ROOT = Path(__file__).resolve().parents[1]
ENGINES = ("brian2", "nest")
needs_brian2 = pytest.mark.skipif(not ref.importable("brian2"), reason="brian2 not importable here")
needs_nest = pytest.mark.skipif(not ref.importable("nest"), reason="nest not importable here")


def cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


# -- the command ---------------------------------------------------------------------------
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("lab", LABS)
def test_export_writes_a_standalone_script_with_the_experiment(lab, engine, tmp_path):
    out = tmp_path / "script.py"
    code, stdout, _ = cli(["export", lab, "--seed", "7", "--duration", "250", "--to", engine, "--out", str(out)])
    assert code == 0 and f"wrote {out}" in stdout
    text = out.read_text()
    tree = ast.parse(text)  # valid Python
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert "hebblab" not in imported and ("brian2" if engine == "brian2" else "nest") in imported
    if engine == "nest":  # the code every NEST script shares is pasted in, once
        defined = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
        assert all(defined.count(name) == 1 for name in ("advance", "gather", "quiet", "run_script", "main"))
    namespace: dict = {}
    block = re.search(r"^PARAMS = \{.*?^DURATION_MS = .*?$", text, re.MULTILINE | re.DOTALL).group(0)
    exec(block, namespace)  # the experiment block alone is plain data
    lab_cls = get_lab(lab)
    assert namespace["SEED"] == 7 and namespace["DURATION_MS"] == 250.0
    assert namespace["PARAMS"] == {k: v for k, v in lab_cls.resolve_params().items() if k in namespace["PARAMS"]}
    assert "science.md" not in text and "DESIGN.md" not in text
    assert out.stat().st_mode & 0o100  # executable


def test_export_without_out_prints_the_script_and_the_warning_goes_to_stderr():
    code, stdout, stderr = cli(["export", "lif", "--to", "nest"])
    assert code == 0 and stdout.startswith("#!/usr/bin/env python3\n# Written by hebblab")
    assert "hebblab export lif --preset chapter --seed 0 --duration 300 --to nest" in stdout
    # the chapter preset integrates with forward Euler, which NEST does not have
    assert stderr.startswith("hebblab: warning: NEST integrates the LIF cell exactly") and stderr.count("\n") == 1


def test_every_parameter_a_template_reads_is_one_the_lab_declares():
    """The scripts read the lab's parameters by their current names (`hebblab params LAB`)."""
    for lab in LABS:
        declared = {s.name for s in get_lab(lab).specs}
        for engine in ENGINES:
            read = set(re.findall(r'\bp\["(\w+)"\]', template_source(engine, lab)))
            assert read and read <= declared, (engine, lab, read - declared)


@pytest.mark.parametrize("argv,message", [
    (["export", "hebb", "--to", "nest"], "--to: nest has no model of lab 'hebb' here; export supports lif, ei, stdp"),
    (["export", "lif", "--to", "neuron"], "--to: expected one of brian2, nest, got 'neuron'"),
    (["export", "lif", "--to", "nest", "--set", "tau_m_ms=0"], "tau_m_ms: out of range"),
    (["export", "stdp", "--to", "nest", "--set", "synapse_drive=fixed", "--set", "E_e_mV=-20",
      "--set", "V_thresh_mV=-10", "--set", "V_reset_mV=-15"], "--to: nest: with synapse_drive=fixed"),
])
def test_bad_export_input_is_one_line_and_exit_2(argv, message, tmp_path):
    out = tmp_path / "never.py"
    code, stdout, stderr = cli([*argv, "--out", str(out)])
    assert code == 2 and stdout == "" and not out.exists()
    assert stderr.startswith(f"hebblab: error: {message}") and stderr.count("\n") == 1


def test_out_into_a_missing_directory_or_onto_a_directory_fails_before_writing(tmp_path):
    for target, message in ((tmp_path / "no" / "x.py", "is not an existing directory"),
                            (tmp_path, "is a directory")):
        code, _, stderr = cli(["export", "ei", "--to", "nest", "--out", str(target)])
        assert code == 2 and message in stderr and stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_out_through_a_link_to_a_file_writes_the_file_and_keeps_the_link(tmp_path):
    (tmp_path / "real.py").write_text("old")
    (tmp_path / "link.py").symlink_to("real.py")
    code, _, _ = cli(["export", "lif", "--to", "brian2", "--out", str(tmp_path / "link.py")])
    assert code == 0
    assert (tmp_path / "link.py").is_symlink() and "brian2" in (tmp_path / "real.py").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.py", "real.py"]  # no temporary left


def test_a_network_beyond_the_numpy_cap_exports_and_the_cap_names_engine_nest(tmp_path):
    big = ["--set", "n_cells=50000", "--set", "in_degree=2000"]  # 1e8 synapses: over the numpy cap
    code, _, stderr = cli(["run", "ei", *big, "--duration", "0.1"])
    assert code == 2 and "--engine nest" in stderr
    out = tmp_path / "big.py"
    code, _, stderr = cli(["export", "ei", *big, "--to", "nest", "--out", str(out)])
    assert code == 0 and stderr == "" and '"n_cells": 50000' in out.read_text()
    code, _, _ = cli(["run", "ei", *big, "--duration", "0.1"])  # the cap is back for the numpy engine
    assert code == 2


def test_nest_scripts_gather_every_rank_under_mpi(tmp_path, monkeypatch):
    """Under mpirun each rank holds its own cells' spikes: every rank must see all of them.
    Two ranks are played by two threads with a NEST stand-in (the gather is plain Python)."""
    import threading
    import types

    import numpy as np

    barrier = threading.Barrier(2)
    rank = threading.local()
    fake = types.SimpleNamespace(NumProcesses=lambda: 2, Rank=lambda: rank.value, SyncProcesses=barrier.wait)
    monkeypatch.setitem(sys.modules, "nest", fake)
    namespace: dict = {"__name__": "nest_ei_under_test"}
    exec(compile(template_source("nest", "ei"), "nest_ei.py", "exec"), namespace)
    got = {}

    def one_rank(r: int) -> None:
        rank.value = r
        local = {"times": np.array([1.0 + r, 2.0 + r]), "cells": np.array([r, r])}
        got[r] = namespace["gather"]("ei-seed0", local, str(tmp_path))

    threads = [threading.Thread(target=one_rank, args=(r,)) for r in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    for r in (0, 1):
        assert got[r]["times"].tolist() == [1.0, 2.0, 2.0, 3.0] and got[r]["cells"].tolist() == [0, 0, 1, 1]
    assert list(tmp_path.iterdir()) == []  # the swap files are gone


@pytest.mark.parametrize("lab", ["lif", "ei", "stdp"])
@pytest.mark.parametrize("ranks", [1, 2])
def test_a_failing_rank_ends_the_whole_mpi_job(lab, ranks, monkeypatch, capsys):
    """A rank that fails must not leave the others waiting at the next swap (and itself in
    NEST's shutdown, waiting for them): under MPI the script says why and exits at once,
    which makes mpirun end every rank. Alone, the error is an ordinary traceback."""
    import types

    fake = types.SimpleNamespace(NumProcesses=lambda: ranks, Rank=lambda: 0)
    monkeypatch.setitem(sys.modules, "nest", fake)
    namespace: dict = {"__name__": f"nest_{lab}_under_test"}
    exec(compile(template_source("nest", lab), f"nest_{lab}.py", "exec"), namespace)

    def failing(*args):
        raise RuntimeError("rank trouble")

    class Exited(Exception):
        pass

    def exit_now(code):
        raise Exited(code)

    namespace["simulate"] = failing
    monkeypatch.setattr(namespace["os"], "_exit", exit_now)
    monkeypatch.setattr(sys, "argv", [f"nest_{lab}.py"])
    if ranks == 1:
        with pytest.raises(RuntimeError, match="rank trouble"):
            namespace["main"]()
    else:
        with pytest.raises(Exited) as exited:
            namespace["main"]()
        assert exited.value.args == (1,) and "RuntimeError: rank trouble" in capsys.readouterr().err


def test_the_engines_package_keeps_the_layers():
    """hebblab.engines is shared code: it never imports the CLI, the TUI or a display library,
    and hebblab.sim never imports it (tests/test_layers.py reads only hebblab/'s top level)."""
    from tests.test_layers import _imports, _modules

    display = ("textual", "textual_plotext", "textual_serve", "rich", "plotext")
    checked = 0
    for path in sorted((ROOT / "hebblab" / "engines").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        bad = [n for n in _imports(module, path)
               if n.split(".")[0] in display or n.startswith(("hebblab.cli", "hebblab.tui"))]
        assert not bad, (module, bad)
        checked += 1
    assert checked >= 10
    for module, path in _modules():
        if module.startswith("hebblab.sim"):
            assert not [n for n in _imports(module, path) if n.startswith("hebblab.engines")], module


# -- cross-checks: the scripts run against hebblab's engine ------------------------------------
LIF_CASES = [  # (preset, sets): exact integration, the chapter's Euler, a step current, refractoriness
    ("exact", ()), ("chapter", (("method", "exact"),)), ("ex2-inhibitory", (("method", "exact"),)),
    ("refractory", ()),
]


@needs_brian2
@pytest.mark.parametrize("preset,sets", [*LIF_CASES, ("chapter", ()), ("ex2-inhibitory", ())])
def test_brian2_lif_spike_times_within_one_dt(preset, sets, tmp_path):
    lab = get_lab("lif")
    duration = lab.preset(preset).duration_ms
    ours = ref.hebblab_metrics("lif", preset, 0, duration, sets)
    theirs = ref.run_script(ref.export(tmp_path, "lif", "brian2", preset, duration, sets), 0)
    ref.assert_spike_times_within_one_dt(ours, theirs, lab.resolve_params(preset, dict(sets))["dt_ms"])


@needs_nest
@pytest.mark.parametrize("preset,sets", LIF_CASES)
def test_nest_lif_spike_times_within_one_dt(preset, sets, tmp_path):
    lab = get_lab("lif")
    duration = lab.preset(preset).duration_ms
    ours = ref.hebblab_metrics("lif", preset, 0, duration, sets)
    theirs = ref.run_script(ref.export(tmp_path, "lif", "nest", preset, duration, sets), 0)
    ref.assert_spike_times_within_one_dt(ours, theirs, lab.resolve_params(preset, dict(sets))["dt_ms"])


@pytest.mark.parametrize("engine", [pytest.param("brian2", marks=needs_brian2), pytest.param("nest", marks=needs_nest)])
def test_ei_rates_within_10_percent_over_seeds_and_the_runaway(engine, tmp_path):
    ours = [ref.hebblab_metrics("ei", ref.EI_PRESET, s, ref.EI_MS) for s in ref.EI_SEEDS]
    theirs = ref.run_seeds(ref.export(tmp_path, "ei", engine, ref.EI_PRESET, ref.EI_MS), ref.EI_SEEDS)
    print(engine, "ei relative differences:", ref.assert_ei_rates_agree(ours, theirs))
    wild = get_lab("ei").preset("no-inhibition").duration_ms
    script = ref.export(tmp_path, "ei", engine, "no-inhibition", wild, (("n_cells", 1000),))
    ref.assert_runaway(ref.hebblab_metrics("ei", "no-inhibition", 0, wild, (("n_cells", 1000),)),
                       ref.run_script(script, 0))


@needs_brian2
def test_brian2_stdp_weight_fractions_within_005_and_rates_within_15_percent(tmp_path):
    ours = [ref.hebblab_metrics("stdp", "song2000", s, ref.STDP_MS) for s in ref.STDP_SEEDS]
    target = "cython" if ref.importable("Cython") else "numpy"  # compiled: ~10x faster for 20 s
    script = ref.export(tmp_path, "stdp", "brian2", "song2000", ref.STDP_MS)
    theirs = ref.run_seeds(script, ref.STDP_SEEDS, "--target", target)
    diff = ref.stdp_differences(ours, theirs)
    print("brian2 stdp differences:", diff)
    assert abs(diff["frac_low"]) <= 0.05 and abs(diff["frac_high"]) <= 0.05, diff
    assert abs(diff["rate_first_10s_hz"]) <= 0.15 and abs(diff["rate_last_10s_hz"]) <= 0.15, diff


@needs_nest
def test_nest_stdp_weight_fractions_within_005_and_rates_within_15_percent(tmp_path):
    """The script runs hebblab's stdp_transmit_first_synapse (hebblab's NEST module, built by
    `python -m hebblab.engines.nest_module`; required here): NEST's pair STDP transmitting an
    input spike before depressing it, as hebblab and Brian2 do. NEST's own stdp_synapse
    depresses first; with it the rates came out -17.9 % / -19.9 %. With the module (measured):
    -9.0 % / -14.8 %. What is left is the 0.1 ms time step, not the rule: NEST's delay
    (one step at least) counts as dendritic and its input acts from the step after, so its
    pairs sit 0.3 ms later than hebblab's, and hebblab's step schedule has its own
    error; at dt 0.01 ms both engines move and agree within 4 % (-3.9 % / -1.6 %).
    The same rates with plasticity frozen: -4.4 %."""
    ours = [ref.hebblab_metrics("stdp", "song2000", s, ref.STDP_MS) for s in ref.STDP_SEEDS]
    theirs = ref.run_seeds(ref.export(tmp_path, "stdp", "nest", "song2000", ref.STDP_MS), ref.STDP_SEEDS)
    assert {r["synapse"] for r in theirs} == {"stdp_transmit_first_synapse"}, \
        "hebblab's NEST module did not load: python -m hebblab.engines.nest_module builds it"
    diff = ref.stdp_differences(ours, theirs)
    print("nest stdp differences:", diff)
    assert abs(diff["frac_low"]) <= 0.05 and abs(diff["frac_high"]) <= 0.05, diff
    assert abs(diff["rate_first_10s_hz"]) <= 0.15 and abs(diff["rate_last_10s_hz"]) <= 0.15, diff

    frozen = (("freeze", True),)
    ours = [ref.hebblab_metrics("stdp", "song2000", s, 10_000.0, frozen) for s in ref.STDP_SEEDS]
    script = ref.export(tmp_path, "stdp", "nest", "song2000", 10_000.0, frozen)
    theirs = ref.run_seeds(script, ref.STDP_SEEDS)
    frozen_diff = ref.mean_of(theirs, "rate_first_10s_hz") / ref.mean_of(ours, "rate_first_10s_hz") - 1.0
    print("nest stdp frozen rate difference:", frozen_diff)
    assert abs(frozen_diff) <= 0.15


@needs_nest
def test_nest_script_prints_only_json_and_takes_threads(tmp_path):
    script = ref.export(tmp_path, "ei", "nest", "small", 100.0)
    one = ref.run_script(script, 3, "--threads", "1")
    two = ref.run_script(script, 3, "--threads", "2")
    assert one["n_cells"] == two["n_cells"] == 1000 and one["rate_mean_hz"] > 0 and two["rate_mean_hz"] > 0
