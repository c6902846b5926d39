"""Regression tests for bugs a demanding new user found in the command line (QA pass).

Each test names the bug it guards. Plus one sweep over every lab's default preset:
--out writes sensible files, --config replays them to identical metrics, --plot draws.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest

from hebblab.sim.labs import all_labs
from hebblab.sim.series import Series, SeriesSpec
from hebblab.cli.main import main
from hebblab.cli.terminal_charts import render

LABS = all_labs()
# Short runs keep this file fast; long enough for every lab to produce spikes/weights.
SHORT_MS = {"lif": 120.0, "hebb": 100.0, "bcm": 200.0, "ei": 30.0, "oja": 200.0,
            "pairing": 3000.0, "stdp": 300.0}


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(code, out, err, *expected):
    assert code == 2 and out == ""
    assert err.startswith("hebblab: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    for text in expected:
        assert text in err, err


# -- every lab's default preset: files, replay, charts ----------------------------------------
def _rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


@pytest.mark.parametrize("lab", list(LABS))
def test_default_preset_out_replay_and_plot(capsys, tmp_path, lab):
    lab_cls = LABS[lab]
    out_dir = tmp_path / "run"
    code, out, err = run_cli(capsys, "run", lab, "--duration", repr(SHORT_MS.get(lab, 100.0)),
                             "--seed", "5", "--out", str(out_dir), "--json")
    assert code == 0, err
    first = json.loads(out, parse_constant=lambda c: pytest.fail(f"{c} in --json output"))
    assert first["lab"] == lab and first["preset"] == lab_cls.presets[0].name and first["seed"] == 5

    names = {p.name for p in out_dir.iterdir()}
    assert names == {"experiment.toml", "metrics.json", "series.npz"} | {f"{s.name}.csv" for s in lab_cls.series_specs}
    assert json.loads((out_dir / "metrics.json").read_text()) == first
    with np.load(out_dir / "series.npz") as npz:
        assert {f"{s.name}.y" for s in lab_cls.series_specs} <= set(npz.files)
    for spec in lab_cls.series_specs:
        header, rows = _rows(out_dir / f"{spec.name}.csv")
        assert header and all(h.strip() for h in header), (spec.name, header)
        assert all(len(r) == len(header) for r in rows), spec.name
        text_cols = {i for i, h in enumerate(header) if h in ("part", "label")}
        for r in rows:  # every other cell is a number (nan allowed in data files)
            for i, cell in enumerate(r):
                if i not in text_cols:
                    float(cell)

    code, again, err = run_cli(capsys, "run", "--config", str(out_dir / "experiment.toml"), "--json")
    assert code == 0, err
    assert json.loads(again) == first

    code, text, err = run_cli(capsys, "run", "--config", str(out_dir), "--plot")
    assert code == 0 and "Traceback" not in err
    for spec in lab_cls.series_specs:
        assert spec.title in text
    assert "\x1b[" not in text


# -- bug: --out under a file, or where nothing can be created, crashed after the run ----------
@pytest.mark.parametrize("command", [["run", "lif", "--duration", "10"],
                                     ["sweep", "lif", "--vary", "I_ext_nA=1:2:1", "--duration", "10", "--jobs", "1"]])
@pytest.mark.parametrize("below", ["sub", "a/b"])
def test_out_below_a_file_is_a_one_line_error_before_running(capsys, tmp_path, command, below):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine")
    code, out, err = run_cli(capsys, *command, "--out", str(a_file / below))
    one_line_error(code, out, err, "--out:", "notes.txt is a file")
    assert a_file.read_text() == "mine" and [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux /proc")
def test_out_where_no_directory_can_be_made_is_a_one_line_error(capsys):
    # /proc accepts no new directories, even for root (for whom os.access says yes)
    code, out, err = run_cli(capsys, "run", "lif", "--duration", "10", "--out", "/proc/hebblab-qa")
    one_line_error(code, out, err, "--out: cannot create a directory in /proc")


def test_out_check_leaves_no_probe_behind(capsys, tmp_path):
    code, _, err = run_cli(capsys, "run", "lif", "--set", "tau_m_ms=999", "--out", str(tmp_path / "x"))
    assert code == 2 and "tau_m_ms" in err
    code, _, _ = run_cli(capsys, "run", "lif", "--duration", "10", "--out", str(tmp_path / "x"), "--json")
    assert code == 0 and [p.name for p in tmp_path.iterdir()] == ["x"]


def test_empty_out_is_refused_not_taken_as_the_current_directory(capsys):
    code, out, err = run_cli(capsys, "run", "lif", "--out", "")
    one_line_error(code, out, err, "--out: expected a directory name")


def test_sweep_failed_write_is_one_line_and_leaves_nothing(capsys, tmp_path, monkeypatch):
    import hebblab.cli.commands.sweep as sweep_cmd

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sweep_cmd, "csv_rows", broken)
    code, out, err = run_cli(capsys, "sweep", "lif", "--vary", "I_ext_nA=1:2:1", "--duration", "10",
                             "--jobs", "1", "--json", "--out", str(tmp_path / "new" / "dir"))
    one_line_error(code, out, err, "--out: cannot write", "No space left on device")
    assert list(tmp_path.iterdir()) == []  # the parent it made is gone too


# -- bug: curve legends said "measured" for lines the lab names otherwise -----------------------
def _curve(**kw):
    return Series(SeriesSpec("c", "curve", "A curve", "x", "y"), y=np.array([0.0, 1.0, 2.0]),
                  x=np.array([0.0, 1.0, 2.0]), overlays={"theory": (np.array([0.0, 2.0]), np.array([0.0, 2.0]))}, **kw)


def test_curve_legend_uses_the_series_label():
    text = render(_curve(labels=("euler on dt grid",)), width=60, height=12)
    assert "euler on dt grid" in text and "measured" not in text
    assert "measured" in render(_curve(), width=60, height=12)  # unnamed: the generic name


def test_curve_draws_its_reference_lines():
    text = render(_curve(hlines={"zero line": 0.0, "bad": float("nan")}), width=60, height=12)
    assert "zero line" in text and "bad" not in text


def test_lif_fi_chart_and_csv_name_the_grid_curve_and_the_measured_point(capsys, tmp_path):
    code, out, _ = run_cli(capsys, "run", "lif", "--plot", "--out", str(tmp_path / "r"))
    assert code == 0
    chart = out[out.index("f-I curve"):]
    assert "euler on dt grid" in chart and "theory" in chart and "measured" in chart
    _, rows = _rows(tmp_path / "r" / "fI.csv")
    parts = [r[0] for r in rows]
    # before: 201 grid points and the measured marker were all called "measured"
    assert parts.count("euler on dt grid") == 201 and parts.count("theory") == 201
    assert parts.count("measured") == 1
    measured = rows[parts.index("measured")]
    assert float(measured[1]) == 1.8 and abs(float(measured[2]) - 18.975) < 0.01  # science.md: 18.98 Hz


def test_pairing_frequency_chart_names_the_pre_before_post_line(capsys):
    lab = LABS["pairing"](preset="frequency")
    assert lab.series()["frequency"].labels == ("pre-before-post",)
    code, out, _ = run_cli(capsys, "run", "pairing", "--preset", "frequency", "--set", "n_pairs=5",
                           "--set", "gap_ms=0", "--plot")
    assert code == 0
    chart = out[out.index("dw vs pairing frequency"):]
    chart = chart[:chart.index("\n\n")]
    assert "pre-before-post" in chart and "post-before-pre" in chart and "measured" not in chart


# -- bug: yes/no metrics printed as 1/0 among the readouts ---------------------------------------
def test_summary_prints_boolean_readouts_as_yes_no(capsys):
    code, out, _ = run_cli(capsys, "run", "hebb", "--preset", "grow", "--no-plot")
    assert code == 0
    line = next(l for l in out.splitlines() if l.strip().startswith("weights_changed"))
    assert line.split()[-1] == "yes"


# -- bug: the summary claimed the asked-for duration, not the one simulated ----------------------
def test_summary_says_when_the_duration_was_rounded_to_the_time_step(capsys):
    code, out, _ = run_cli(capsys, "run", "lif", "--duration", "300.04", "--no-plot")
    assert code == 0
    assert "300 ms simulated (300.04 ms asked for, rounded to whole 0.1 ms steps)" in out
    code, out, _ = run_cli(capsys, "run", "lif", "--no-plot")
    assert "| 300 ms simulated\n" in out  # on the grid: no remark


# -- bug: error messages that hid the value at fault ------------------------------------------
def test_duration_error_shows_the_value_given(capsys):
    code, out, err = run_cli(capsys, "run", "lif", "--duration", "3600001")
    one_line_error(code, out, err, "(0, 3600000]", "got 3600001")


def test_sweep_with_a_tiny_step_says_how_many_points_in_a_few_characters(capsys):
    code, out, err = run_cli(capsys, "sweep", "lif", "--vary", "I_ext_nA=1:2:1e-300")
    one_line_error(code, out, err, "about 1.0e+300 points; at most 1000")
    assert len(err) < 200


def test_config_cross_check_error_points_at_the_config_line(capsys, tmp_path):
    config = tmp_path / "e.toml"
    config.write_text('lab = "lif"\n[params]\nV_reset_mV = -50\n')
    code, out, err = run_cli(capsys, "run", "--config", str(config))
    one_line_error(code, out, err, f"{config}:3: [params] V_reset_mV: must be below V_thresh_mV")
    code, out, err = run_cli(capsys, "run", "--config", str(config), "--set", "V_reset_mV=-40")
    one_line_error(code, out, err, "V_reset_mV: must be below")  # --set's fault: no config line
    assert str(config) not in err


# -- bug: argparse errors were two lines (usage + error), unknown commands had no suggestion ----
@pytest.mark.parametrize("argv,expected", [
    (["rn", "lif"], "did you mean 'run'?"),
    (["run", "lif", "--bogus"], "unrecognized arguments: --bogus"),
    (["run", "lif", "--seed"], "argument --seed: expected one argument (see `hebblab run --help`)"),
    (["sweep"], "required: LAB"),
])
def test_argparse_errors_are_one_line(capsys, argv, expected):
    code, out, err = run_cli(capsys, *argv)
    one_line_error(code, out, err, expected)


def test_raster_csv_writes_cell_indices_as_integers(capsys, tmp_path):
    code, _, _ = run_cli(capsys, "run", "hebb", "--preset", "grow", "--out", str(tmp_path / "r"), "--json")
    assert code == 0
    header, rows = _rows(tmp_path / "r" / "raster.csv")
    assert header[1] == "cell (index)" and rows and all(r[1].isdigit() for r in rows)


# -- bug: a clockwork cell's CV of the ISI printed as ~1e-8 (cancellation in E[x^2] - E[x]^2) ----
def test_cv_isi_of_a_clockwork_cell_is_zero_to_float_precision(capsys):
    from hebblab.sim.recording import SpikeRecorder

    rec = SpikeRecorder(2)
    times = np.arange(1, 40) * 1055 * 0.1 + 87.8  # ex1-tau40: every 105.5 ms on the 0.1 ms grid
    for block in np.array_split(times, 7):
        rec.record(block, np.zeros(block.size, dtype=np.int64))
    # ISIs alternating 1e4 and 1e4 + 1e-3 ms: sd 5e-4, CV 5e-8, far below the old formula's noise
    isi = np.tile([1e4, 1e4 + 1e-3], 50)
    rec.record(np.cumsum(isi), np.ones(isi.size, dtype=np.int64))
    cv = rec.cv_isi()
    assert cv[0] < 1e-12
    assert cv[1] == pytest.approx(5e-4 / (1e4 + 5e-4), rel=1e-4)
    lab = LABS["lif"](preset="ex1-tau40")
    lab.run(1000.0)
    assert lab.readouts()["cv_isi_mean"] < 1e-12


# -- bug: a sweep point whose varied dt_ms exceeded the duration "ran" 0 steps without error ------
def test_sweep_point_shorter_than_its_time_step_is_reported(capsys):
    code, out, err = run_cli(capsys, "sweep", "lif", "--vary", "dt_ms=0.1:1:0.9", "--duration", "0.5",
                             "--jobs", "1", "--json")
    assert code == 0 and "1 of 2 points failed" in err
    ok, short = json.loads(out)["points"]
    assert ok["error"] is None and ok["metrics"]["t_ms"] == pytest.approx(0.5)
    assert short["error"] == "dt_ms: 0.5 ms is shorter than one time step (dt_ms = 1); give a longer --duration"


# -- bug: sweep --metric accepted only readouts, not the lab's other numeric metrics ------------
def test_sweep_charts_any_numeric_metric_not_only_readouts(capsys):
    code, out, err = run_cli(capsys, "sweep", "stdp", "--vary", "A_minus_ratio=1:1.1:0.1",
                             "--set", "n_inputs=50", "--metric", "rate_last_10s_hz", "--duration", "500",
                             "--jobs", "1", "--json")
    assert code == 0, err
    record = json.loads(out)
    assert record["metrics"] == ["rate_last_10s_hz"]
    assert all(isinstance(p["metrics"]["rate_last_10s_hz"], float) for p in record["points"])
    code, out, err = run_cli(capsys, "sweep", "stdp", "--vary", "A_minus_ratio=1:1.1:0.1",
                             "--metric", "rate_last_10s")
    one_line_error(code, out, err, "--metric: unknown metric 'rate_last_10s'", "did you mean 'rate_last_10s_hz'?")


# -- bug: the replay hint after --out could not be pasted (trailing "/" doubled, spaces unquoted) --
def test_replay_hint_can_be_pasted(capsys, tmp_path, monkeypatch):
    import shlex

    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli(capsys, "run", "lif", "--duration", "10", "--out", "my runs/a/")
    assert code == 0
    hint = out.strip().splitlines()[-1]
    assert hint.startswith("wrote my runs/a/ (") and "//" not in hint
    argv = shlex.split(hint.split("replay: ", 1)[1])
    assert argv[:3] == ["hebblab", "run", "--config"]
    code, again, _ = run_cli(capsys, *argv[1:], "--json")
    assert code == 0 and json.loads(again)["duration_ms"] == 10.0


# -- NO_COLOR (https://no-color.org): charts on a terminal had no way to drop the colour codes ----
@pytest.mark.parametrize("command", [["run", "lif", "--duration", "50"],
                                     ["sweep", "lif", "--vary", "I_ext_nA=1.7:1.9:0.1", "--duration", "200", "--jobs", "1"]])
def test_no_color_on_a_terminal(capsys, monkeypatch, command):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    code, out, _ = run_cli(capsys, *command)
    assert code == 0 and "\x1b[" in out and "┤" in out  # a terminal: charts, in colour
    monkeypatch.setenv("NO_COLOR", "1")
    code, out, _ = run_cli(capsys, *command)
    assert code == 0 and "\x1b[" not in out and "┤" in out


# -- bug: a sweep of pairing or stdp charted the clock (t_s, their first readout) by default ------
def test_sweep_default_metric_is_not_the_clock(capsys):
    from hebblab.cli.commands.sweep import choose_metrics

    assert choose_metrics(LABS["pairing"], []) == ["dw"]
    assert choose_metrics(LABS["stdp"], []) == ["rate_recent_hz"]
    assert choose_metrics(LABS["lif"], []) == ["isi_rate_hz"]
    code, out, _ = run_cli(capsys, "sweep", "pairing", "--preset", "ltd-1hz", "--vary", "delay_ms=-10:10:20",
                           "--jobs", "1", "--json")
    assert code == 0
    record = json.loads(out)
    assert record["metrics"] == ["dw"]
    dws = [p["metrics"]["dw"] for p in record["points"]]
    # science.md 5, triplet rule at 1 Hz: post-before-pre depresses, pre-before-post does ~nothing
    assert dws[0] < -0.1 and abs(dws[1]) < 0.01


# -- bug: Ctrl-C in a parallel sweep waited for every point already handed to a worker ----------
def test_interrupted_sweep_terminates_its_workers(monkeypatch):
    import signal

    import hebblab.sim.sweep as sweep
    from hebblab.sim.labs.lif import LifLab

    pools = []
    real_pool = sweep._pool

    def keep(jobs):
        pools.append(real_pool(jobs))
        return pools[-1]

    monkeypatch.setattr(sweep, "_pool", keep)
    workers = []

    def interrupt(i, point):  # the fast point is done; the slow one is still running
        workers.extend(pools[0]._processes.values())
        raise KeyboardInterrupt

    # 1 cell finishes in a moment; 1000 cells for 600 s of biological time take many seconds
    varies = [sweep.parse_vary("n_cells=1:1000:999", LifLab)]
    with pytest.raises(KeyboardInterrupt):
        sweep.run_sweep("lif", "chapter", {"dt_ms": 1.0}, varies, duration_ms=600_000.0, seed=0,
                        jobs=2, on_point=interrupt)
    assert workers and all(not w.is_alive() for w in workers)
    # the worker busy with the slow point was stopped, not left to finish (the idle one may
    # have exited on its own when the pool shut down)
    assert -signal.SIGTERM in [w.exitcode for w in workers]


# -- bug: a too-short --duration for hebb/oja blamed a dt_ms parameter those labs do not have -----
def test_too_short_duration_names_dt_ms_only_where_it_exists(capsys):
    code, out, err = run_cli(capsys, "run", "hebb", "--duration", "0.4")
    one_line_error(code, out, err, "shorter than one time step (this lab steps 1 ms at a time)")
    assert "dt_ms" not in err
    code, out, err = run_cli(capsys, "run", "lif", "--duration", "0.04")
    one_line_error(code, out, err, "shorter than one time step (dt_ms = 0.1)")


# -- bug: a name in the wrong case got no suggestion (EULER, LIF, CHAPTER) -----------------------
@pytest.mark.parametrize("argv,expected", [
    (["run", "LIF"], "unknown lab 'LIF'; choose one of lif,"),
    (["run", "lif", "--preset", "CHAPTER"], "(did you mean 'chapter'?)"),
    (["run", "lif", "--set", "method=EULER"], "method: expected one of euler, exact, got 'EULER' (did you mean 'euler'?)"),
    (["run", "lif", "--set", "TAU_M_MS=30"], "(did you mean 'tau_m_ms'?)"),
])
def test_wrong_case_names_get_a_suggestion(capsys, argv, expected):
    code, out, err = run_cli(capsys, *argv)
    one_line_error(code, out, err, expected)
    assert "did you mean" in err


# -- bug: a raster of a few cells labelled its y axis 0.50, 1.50, ... (cells are whole numbers) ---
def test_raster_of_few_cells_ticks_each_cell():
    s = Series(SeriesSpec("r", "raster", "Spikes", "time (ms)", "cell"), y=np.array([0, 1, 2, 3, 1.0]),
               x=np.array([1.0, 2.0, 3.0, 4.0, 5.0]), y_range=(0.0, 3.0))
    ticks = [line.split("┤")[0].strip() for line in render(s, width=60, height=14).splitlines() if "┤" in line]
    assert ticks == ["3", "2", "1", "0"]


def test_summary_says_a_diverged_run_stopped_early_not_that_it_was_rounded(capsys):
    code, out, err = run_cli(capsys, "run", "oja", "--preset", "too-fast", "--no-plot")
    assert code == 0 and "diverged" in err
    line = out.splitlines()[1]
    assert line.endswith("ms simulated of 1000 ms (stopped early: the run diverged)") and "rounded" not in line


# -- the numbers the CLI prints, against science.md (not against earlier output) -----------------
def test_help_and_version(capsys):
    code, out, _ = run_cli(capsys, "--help")
    assert code == 0 and all(c in out for c in ("labs", "presets", "params", "run", "sweep"))
    code, out, _ = run_cli(capsys, "run", "--help")
    assert code == 0 and "--config" in out and "--no-plot" in out


def test_cli_prints_the_chapters_lif_numbers(capsys):
    code, out, _ = run_cli(capsys, "run", "lif", "--preset", "chapter", "--json")
    m = json.loads(out)["metrics"]
    # science.md 1: Euler at dt 0.1 ms, spikes at 43.9, 96.6, 149.3, 202.0, 254.7 ms; 18.95 Hz closed form
    assert m["spike_times_ms"] == pytest.approx([43.9, 96.6, 149.3, 202.0, 254.7], abs=1e-9)
    assert m["theory_rate_hz"] == pytest.approx(1000 / (20 * np.log(14)), rel=1e-9)
    assert m["isi_rate_hz"] == pytest.approx(18.95 * 1.0015, abs=0.01)  # Euler fires 0.15 % early
    code, out, _ = run_cli(capsys, "run", "lif", "--preset", "chapter", "--no-plot")
    assert "18.98 Hz vs closed form 18.95 Hz" in out
    code, out, _ = run_cli(capsys, "run", "lif", "--preset", "ex1-tau40", "--json")
    m40 = json.loads(out)["metrics"]
    assert m40["theory_rate_hz"] == pytest.approx(1000 / (40 * np.log(14)), rel=1e-9)  # 9.47 Hz
    assert m40["isi_rate_hz"] == pytest.approx(9.47, abs=0.02) and m40["isi_rate_hz"] < m["isi_rate_hz"] / 1.9


def _listing(seed: int) -> np.ndarray:
    """science.md 2, the chapter's listing, written out independently of sim/."""
    np.random.seed(seed)
    w = np.random.randn(2, 2) * 0.1
    for _ in range(200):
        pre = (np.random.rand(2) < 0.05).astype(float)
        post = (pre @ w > 0.3).astype(float)
        w += 0.01 * np.outer(pre, post)
    return w


@pytest.mark.parametrize("seed", [0, 3, 93, 137, 4294967295])
def test_cli_hebb_chapter_weights_equal_the_listing(capsys, seed):
    code, out, _ = run_cli(capsys, "run", "hebb", "--preset", "chapter", "--seed", str(seed), "--json")
    m = json.loads(out)["metrics"]
    ref = _listing(seed)
    assert np.array_equal(np.array(m["final_weights"]), ref)
    np.random.seed(seed)
    assert m["weights_changed"] == (not np.array_equal(ref, np.random.randn(2, 2) * 0.1))


# -- bug: long durations printed as 1.2705e+06 ms (presets, sweep summary) ------------------------
def test_long_durations_are_printed_in_full(capsys):
    code, out, _ = run_cli(capsys, "presets", "pairing")
    assert code == 0 and "window     (1270500 ms = 1270.5 s, default)" in out and "e+06" not in out
    code, out, _ = run_cli(capsys, "presets", "lif")
    assert "chapter         (300 ms, default)" in out
    code, out, _ = run_cli(capsys, "sweep", "pairing", "--preset", "ltd-1hz", "--vary", "n_pairs=1:2:1",
                           "--duration", "1234567", "--jobs", "1", "--no-plot")
    assert code == 0 and "| 1234567 ms per point |" in out
