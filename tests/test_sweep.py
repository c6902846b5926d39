"""Sweeps: range parsing (property tests), the grid, parallel runs, failures, CLI output.

The science check: a lif f-I sweep matches the closed-form rate of science.md section 1,
computed here from the formula itself (not from the lab or hebblab.sim.theory).
"""

from __future__ import annotations

import csv
import json
import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hebblab.sim.labs import get_lab
from hebblab.sim.labs.base import Lab
from hebblab.sim.params import ParamError, ParamSpec, Preset
from hebblab.sim.series import ReadoutSpec
from hebblab.sim.sweep import MAX_POINTS, build_grid, parse_vary, range_values, run_point, run_sweep, PointTask
from hebblab.cli.main import main

LIF = get_lab("lif")
CHAPTER = dict(tau_m_ms=20.0, V_rest_mV=-70.0, V_thresh_mV=-54.0, V_reset_mV=-80.0, R_m_MOhm=10.0)


def closed_form_rate_hz(I_nA, tau_m_ms=20.0, V_rest_mV=-70.0, V_thresh_mV=-54.0, V_reset_mV=-80.0,
                        R_m_MOhm=10.0, t_ref_ms=0.0):
    """science.md section 1: 0 at or below rheobase, else 1/(t_ref + tau ln((V_inf-V_reset)/(V_inf-V_thresh)))."""
    v_inf = V_rest_mV + R_m_MOhm * I_nA
    if v_inf <= V_thresh_mV:
        return 0.0
    return 1000.0 / (t_ref_ms + tau_m_ms * math.log((v_inf - V_reset_mV) / (v_inf - V_thresh_mV)))


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# -- range parsing ---------------------------------------------------------------------------
def test_range_includes_stop_and_has_no_float_noise():
    v = parse_vary("I_ext_nA=1.0:3.0:0.1", LIF)
    assert len(v.values) == 21
    assert v.values[0] == 1.0 and v.values[-1] == 3.0
    assert v.values[2] == 1.2  # not 1.2000000000000002
    assert parse_vary("tau_m_ms=30:10:-10", LIF).values == (30.0, 20.0, 10.0)
    assert parse_vary("tau_m_ms=20:20:5", LIF).values == (20.0,)
    assert parse_vary("I_ext_nA=1:2:0.3", LIF).values == (1.0, 1.3, 1.6, 1.9)  # stop off the grid
    through_zero = parse_vary("I_ext_nA=-1:1:0.1", LIF).values
    assert through_zero[10] == 0.0 and str(through_zero[10]) == "0.0" and through_zero[13] == 0.3


def test_int_parameter_gives_ints_and_rejects_fractions():
    v = parse_vary("n_cells=1:5:2", LIF)
    assert v.values == (1, 3, 5) and all(type(x) is int for x in v.values)
    with pytest.raises(ParamError, match="n_cells.*integer"):
        parse_vary("n_cells=1:5:0.5", LIF)


@pytest.mark.parametrize("item, match", [
    ("I_ext_nA", "NAME=START:STOP:STEP"),
    ("I_ext_nA=1:2", "NAME=START:STOP:STEP"),
    ("=1:2:3", "NAME=START:STOP:STEP"),
    ("I_ext_nA=a:2:1", "I_ext_nA.*START must be a number"),
    ("I_ext_nA=1:2:0", "I_ext_nA.*must not be 0"),
    ("I_ext_nA=1:2:-0.1", "I_ext_nA.*points away from STOP.*positive"),
    ("I_ext_nA=2:1:0.1", "I_ext_nA.*points away from STOP.*negative"),
    ("I_ext_nA=nan:2:0.1", "I_ext_nA.*finite"),
    ("I_ext_nA=1:inf:0.1", "I_ext_nA.*finite"),
    ("I_ext_nA=0:9:0.001", "I_ext_nA.*points; at most"),
    ("I_ext_nA=0:20:1", "I_ext_nA: out of range"),  # spec max is 10 nA
    ("I_extx=1:2:1", "unknown parameter.*did you mean 'I_ext_nA'"),
    ("method=1:2:1", "method: cannot be swept"),
    ("draw_spikes=0:1:1", "draw_spikes: cannot be swept"),
])
def test_bad_ranges_name_the_problem(item, match):
    with pytest.raises(ParamError, match=match):
        parse_vary(item, LIF)


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
nonzero = finite.filter(lambda x: abs(x) > 1e-3)


@settings(max_examples=200, deadline=None)
@given(start=finite, stop=finite, step=nonzero)
def test_step_pointing_away_from_stop_is_an_error(start, stop, step):
    if (stop - start) / step >= 0:
        step = -step
    if stop == start or (stop - start) / step >= -1e-9:
        return  # a single point, or too close to call: not a wrong-sign case
    with pytest.raises(ParamError, match="x: --vary STEP .* points away from STOP"):
        range_values("x", start, stop, step)


@settings(max_examples=100, deadline=None)
@given(start=finite, stop=finite)
def test_zero_step_is_an_error(start, stop):
    with pytest.raises(ParamError, match="must not be 0"):
        range_values("x", start, stop, 0.0)


@settings(max_examples=100, deadline=None)
@given(slot=st.integers(0, 2), bad=st.sampled_from(["nan", "inf", "-inf", "1e999"]),
       a=finite, b=finite, c=nonzero)
def test_non_finite_bounds_are_errors(slot, bad, a, b, c):
    parts = [repr(a), repr(b), repr(c)]
    parts[slot] = bad
    # 1e999 is a finite number too large for a float: said so, not called "inf"
    with pytest.raises(ParamError, match="too large" if bad == "1e999" else "finite"):
        parse_vary("tau_m_ms=" + ":".join(parts), LIF)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(start=st.floats(-100, 100), n=st.integers(1, 200), step=st.floats(0.01, 10).map(lambda s: round(s, 3)),
       down=st.booleans())
def test_valid_ranges_have_the_expected_points(start, n, step, down):
    step = -step if down else step
    stop = start + (n - 1) * step
    values = range_values("x", start, stop, step)
    assert len(values) == n
    assert values[0] == pytest.approx(start, abs=1e-9)
    assert values[-1] == pytest.approx(stop, rel=1e-9, abs=1e-9)
    diffs = np.diff(values)
    assert np.all(np.sign(diffs) == np.sign(step))


@settings(max_examples=50, deadline=None)
@given(n=st.integers(MAX_POINTS + 1, 10**9))
def test_too_many_points_is_an_error(n):
    with pytest.raises(ParamError, match="at most"):
        range_values("x", 0.0, float(n - 1), 1.0)


# -- the grid --------------------------------------------------------------------------------
def test_grid_is_the_cartesian_product_first_range_slowest():
    a = parse_vary("I_ext_nA=1:2:0.5", LIF)
    b = parse_vary("tau_m_ms=10:40:10", LIF)
    grid = build_grid([a, b])
    assert len(grid) == 3 * 4
    assert grid[0] == {"I_ext_nA": 1.0, "tau_m_ms": 10.0}
    assert grid[1] == {"I_ext_nA": 1.0, "tau_m_ms": 20.0}
    assert grid[-1] == {"I_ext_nA": 2.0, "tau_m_ms": 40.0}
    assert len({tuple(p.items()) for p in grid}) == 12


def test_grid_rejects_duplicates_and_too_many_points():
    a = parse_vary("I_ext_nA=1:2:0.5", LIF)
    with pytest.raises(ParamError, match="I_ext_nA: --vary given twice"):
        build_grid([a, a])
    big = [parse_vary("I_ext_nA=0:9.9:0.1", LIF), parse_vary("tau_m_ms=1:100:1", LIF)]
    with pytest.raises(ParamError, match=r"100 x 100.*at most"):
        build_grid(big)


# -- science: the f-I curve ------------------------------------------------------------------
def test_lif_fI_sweep_matches_the_closed_form():
    """Exact integration: ISI rate within the dt grid's rounding (<= dt/ISI < 0.5 %) of the
    closed form; silent at and below rheobase (1.6 nA); runs in 2 worker processes."""
    vary = parse_vary("I_ext_nA=1.0:3.0:0.1", LIF)
    result = run_sweep("lif", "chapter", {"method": "exact"}, [vary], 2000.0, seed=0, jobs=2)
    assert [p["params"]["I_ext_nA"] for p in result.points] == list(vary.values)
    assert not result.failed
    for p in result.points:
        I = p["params"]["I_ext_nA"]
        expected = closed_form_rate_hz(I)
        if abs(I - 1.6) < 1e-9:
            continue  # exactly at rheobase V_inf == V_thresh: float rounding decides; no claim
        if expected == 0.0:
            assert p["metrics"]["spike_count"] == 0, I
        else:
            assert p["metrics"]["isi_rate_hz"] == pytest.approx(expected, rel=5e-3), I
    chapter = next(p for p in result.points if p["params"]["I_ext_nA"] == 1.8)
    assert chapter["metrics"]["isi_rate_hz"] == pytest.approx(18.95, abs=0.05)  # science.md


def test_lif_theory_overlay_is_the_closed_form():
    params = LIF.resolve_params("chapter")
    I = np.array([1.0, 1.6, 1.8, 2.5, 3.0])
    y = LIF.theory_curve("isi_rate_hz", "I_ext_nA", I, params)
    assert y == pytest.approx([closed_form_rate_hz(i) for i in I], rel=1e-12)
    tau = np.array([20.0, 40.0])
    y = LIF.theory_curve("isi_rate_hz", "tau_m_ms", tau, params)
    assert y == pytest.approx([18.95, 9.47], abs=0.01)  # science.md: exercise 1 goes down
    assert LIF.theory_curve("spike_count", "I_ext_nA", I, params) is None
    assert LIF.theory_curve("isi_rate_hz", "I_ext_nA", I, {**params, "noise_nA": 0.3}) is None


def test_euler_chapter_rates_match_science_md(capsys):
    """The chapter's Euler at dt 0.1 ms: ISI error -0.15 % (science.md), via the CLI's JSON."""
    code, out, _ = run_cli(capsys, "sweep", "lif", "--vary", "tau_m_ms=20:40:20", "--duration", "1000",
                           "--json", "--jobs", "2")
    assert code == 0
    record = json.loads(out)
    rates = {p["params"]["tau_m_ms"]: p["metrics"]["isi_rate_hz"] for p in record["points"]}
    assert rates[20.0] == pytest.approx(18.95 / (1 - 0.0015), rel=1e-3)
    assert rates[40.0] == pytest.approx(9.47, rel=3e-3)
    theory = {p["params"]["tau_m_ms"]: p["theory"]["isi_rate_hz"] for p in record["points"]}
    assert theory[20.0] == pytest.approx(closed_form_rate_hz(1.8), rel=1e-12)
    assert theory[40.0] == pytest.approx(closed_form_rate_hz(1.8, tau_m_ms=40.0), rel=1e-12)


# -- failures are reported, not fatal ----------------------------------------------------------
def test_a_failing_point_is_recorded_and_the_rest_run():
    """V_reset -50 mV is above V_thresh -54 mV: the lab refuses that point; the others run."""
    vary = parse_vary("V_reset_mV=-80:-50:10", LIF)
    result = run_sweep("lif", "chapter", {}, [vary], 300.0, seed=0, jobs=2)
    errors = {p["params"]["V_reset_mV"]: p["error"] for p in result.points}
    assert errors[-50.0] and "V_reset_mV" in errors[-50.0]
    assert [e for v, e in errors.items() if v != -50.0] == [None, None, None]
    assert all(p["metrics"]["spike_count"] > 0 for p in result.points if not p["error"])
    assert np.isnan(result.column("spike_count")[-1])


class BlowUpLab(Lab):
    """Diverges when gain > 1 (sets `diverged`), raises when gain == 0: failure plumbing only."""

    name = "blowup"
    specs = (ParamSpec("gain", 0.5, "", 0.0, 10.0, 0.1, "growth per step"),)
    presets = (Preset("basic", "default"),)
    readout_specs = (ReadoutSpec("x", "", "state"),)

    def _reset(self):
        if self.params["gain"] == 0.0:
            raise RuntimeError("gain 0 is broken on purpose")
        self.x = 1.0

    def _advance(self, n):
        self.x *= self.params["gain"] ** n
        if self.x > 1e3:
            self.diverged = "x grew without bound: lower gain"

    def readouts(self):
        return {"x": self.x}


def test_diverged_and_raising_points_are_recorded(monkeypatch):
    import hebblab.sim.sweep

    monkeypatch.setattr(hebblab.sim.sweep, "get_lab", lambda name: BlowUpLab)
    vary = parse_vary("gain=0:2:1", BlowUpLab)
    result = run_sweep("blowup", None, {}, [vary], 20.0, seed=0, jobs=1)
    by_gain = {p["params"]["gain"]: p for p in result.points}
    assert "RuntimeError: gain 0 is broken on purpose" in by_gain[0.0]["error"]
    assert by_gain[1.0]["error"] is None and by_gain[1.0]["metrics"]["x"] == 1.0
    assert by_gain[2.0]["error"] == "diverged: x grew without bound: lower gain"
    assert len(result.failed) == 2


def test_run_point_never_raises():
    res = run_point(PointTask("lif", "chapter", {"V_reset_mV": -40.0}, {"V_reset_mV": -40.0}, 0, 10.0))
    assert res["error"].startswith("V_reset_mV") and res["metrics"] == {}


# -- the command -------------------------------------------------------------------------------
def test_json_shape(capsys):
    code, out, err = run_cli(capsys, "sweep", "lif", "--vary", "I_ext_nA=1.5:2.5:0.5", "--vary",
                             "V_reset_mV=-80:-50:30", "--metric", "isi_rate_hz,spike_count",
                             "--duration", "300", "--seed", "3", "--json", "--jobs", "2")
    assert code == 0
    record = json.loads(out)  # exactly one JSON object
    assert {"lab", "preset", "seed", "duration_ms", "vary", "points"} <= set(record)
    assert (record["lab"], record["preset"], record["seed"], record["duration_ms"]) == ("lif", "chapter", 3, 300.0)
    assert record["vary"]["I_ext_nA"]["values"] == [1.5, 2.0, 2.5]
    assert record["metrics"] == ["isi_rate_hz", "spike_count"]
    assert len(record["points"]) == 3 * 2
    for p in record["points"]:
        assert set(p) >= {"params", "metrics", "error"}
        assert set(p["params"]) == {"I_ext_nA", "V_reset_mV"}
    bad = [p for p in record["points"] if p["error"]]
    assert len(bad) == 3 and all(p["params"]["V_reset_mV"] == -50.0 for p in bad)  # above threshold
    assert "3 of 6 points failed" in err


def test_out_writes_csv_and_json(capsys, tmp_path):
    out_dir = tmp_path / "fi"
    code, out, _ = run_cli(capsys, "sweep", "lif", "--vary", "I_ext_nA=1.4:2.2:0.4", "--duration", "500",
                           "--out", str(out_dir), "--no-plot", "--jobs", "2")
    assert code == 0 and "wrote" in out
    assert sorted(p.name for p in out_dir.iterdir()) == ["sweep.csv", "sweep.json"]
    rows = list(csv.DictReader((out_dir / "sweep.csv").open()))
    assert [float(r["I_ext_nA"]) for r in rows] == [1.4, 1.8, 2.2]
    assert rows[0]["isi_rate_hz"] == "" and rows[0]["spike_count"] == "0"  # below rheobase: silent
    assert float(rows[1]["theory_isi_rate_hz"]) == pytest.approx(closed_form_rate_hz(1.8))
    record = json.loads((out_dir / "sweep.json").read_text())
    assert len(record["points"]) == 3
    # a second run into the same (now non-empty) directory is refused before it starts
    code, _, err = run_cli(capsys, "sweep", "lif", "--vary", "I_ext_nA=1:2:1", "--out", str(out_dir))
    assert code == 2 and "not empty" in err


def test_text_output_has_table_and_chart_with_theory(capsys):
    code, out, _ = run_cli(capsys, "sweep", "lif", "--vary", "I_ext_nA=1.7:2.5:0.2", "--duration", "500",
                           "--plot", "--jobs", "2")
    assert code == 0
    assert "theory isi_rate_hz" in out  # table column
    assert "isi_rate_hz vs I_ext_nA" in out and "theory" in out.split("isi_rate_hz vs I_ext_nA")[1]


@pytest.mark.parametrize("argv, names", [
    (["--vary", "I_ext_nA=1:2:0"], "I_ext_nA"),
    (["--vary", "I_ext_nA=2:1:0.5"], "I_ext_nA"),
    (["--vary", "I_ext_nA=nan:2:1"], "I_ext_nA"),
    (["--vary", "I_ext_nA=0:10:0.001"], "I_ext_nA"),
    (["--vary", "I_extt=1:2:1"], "I_extt"),
    (["--vary", "method=1:2:1"], "method"),
    (["--vary", "I_ext_nA:1:2:1"], "--vary"),
    ([], "--vary"),
    (["--vary", "I_ext_nA=1:2:1", "--metric", "rate"], "--metric"),
    (["--vary", "I_ext_nA=1:2:1", "--jobs", "0"], "--jobs"),
    (["--vary", "I_ext_nA=1:2:1", "--set", "I_ext_nA=1"], "I_ext_nA"),
    (["--vary", "I_ext_nA=1:2:1", "--duration", "-5"], "--duration"),
    (["--vary", "I_ext_nA=1:2:1", "--preset", "nope"], "preset"),
])
def test_bad_input_exits_2_with_one_line(capsys, tmp_path, argv, names):
    out_dir = tmp_path / "never"
    code, out, err = run_cli(capsys, "sweep", "lif", *argv, "--out", str(out_dir))
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hebblab: error:") and names in lines[0]
    assert not out_dir.exists()  # nothing written on bad input


def test_sweep_and_its_workers_import_no_front_end():
    """hebblab.sim.sweep is pure (no rich/plotext/textual); `hebblab sweep --json` never loads textual;
    worker processes hold only sim (forkserver preloads hebblab.sim.sweep alone)."""
    code = (
        "import sys, hebblab.sim.sweep\n"
        "assert not {'rich', 'plotext', 'textual'} & set(sys.modules), 'hebblab.sim.sweep'\n"
        "from hebblab.cli.main import main\n"
        "import io, contextlib\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['sweep', 'lif', '--vary', 'I_ext_nA=1.8:2:0.2', '--duration', '50', '--json',"
        " '--jobs', '2']) == 0\n"
        "assert 'textual' not in sys.modules, 'textual'\n"
        "pool = hebblab.sim.sweep._pool(1)\n"
        "mods = pool.submit(eval, \"sorted(__import__('sys').modules)\").result()\n"
        "pool.shutdown()\n"
        "front = ('hebblab.tui', 'hebblab.cli', 'rich', 'plotext', 'textual')\n"
        "bad = [m for m in mods if m.split('.')[0] in front or '.'.join(m.split('.')[:2]) in front]\n"
        "assert not bad and 'hebblab.sim.sweep' in mods, bad\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
