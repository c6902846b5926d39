"""`hebblab run ... --nwb FILE.nwb`: the run as Neurodata Without Borders.

With the `nwb` extra (pynwb, nwbinspector; CI installs it in the engines' venv, where
nothing here may skip): the file passes pynwb's validator and nwbinspector without a
critical issue, reads back with the lab's own spike times, carries traces with units and
rates, the weight history, and the parameters, preset, seed and version. Without the extra:
one line naming it (that test runs everywhere: it hides pynwb).
"""

from __future__ import annotations

import contextlib
import io
import json
import sys

import numpy as np
import pytest

import hebblab
from hebblab.cli.main import main
from tests.engine_reference import importable

needs_pynwb = pytest.mark.skipif(not (importable("pynwb") and importable("nwbinspector")),
                                 reason="the nwb extra (pynwb, nwbinspector) is not installed here")


def cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def run_json(argv: list[str]) -> dict:
    code, out, err = cli([*argv, "--json"])
    assert code == 0, err
    return json.loads(out)


def read(path):
    from pynwb import NWBHDF5IO

    io_ = NWBHDF5IO(str(path), "r")
    return io_, io_.read()


def inspect(path) -> list:
    from nwbinspector import inspect_nwbfile

    return [m for m in inspect_nwbfile(nwbfile_path=str(path)) if m is not None]


# -- without the extra --------------------------------------------------------------------
def test_without_pynwb_one_line_names_the_extra_and_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pynwb", None)  # `import pynwb` fails as if not installed
    target = tmp_path / "run.nwb"
    code, out, err = cli(["run", "lif", "--nwb", str(target)])
    assert code == 2 and out == "" and not target.exists()
    assert err == ("hebblab: error: --nwb: needs pynwb, which is not installed here; install the 'nwb' "
                   "extra: pip install 'hebblab[nwb]'\n")


@needs_pynwb
@pytest.mark.parametrize("name,message", [("run.h5", "expected a file name ending in .nwb"),
                                          ("missing/run.nwb", "is not an existing directory")])
def test_bad_nwb_file_names_fail_before_the_run(name, message, tmp_path):
    code, out, err = cli(["run", "lif", "--nwb", str(tmp_path / name)])
    assert code == 2 and out == "" and message in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


# -- with it --------------------------------------------------------------------------------
@needs_pynwb
@pytest.mark.parametrize("lab,preset,duration", [("lif", "chapter", "300"), ("ei", "small", "300"),
                                                 ("stdp", "song2000", "3000")])
def test_nwb_file_is_valid_and_the_metrics_are_those_of_the_plain_run(lab, preset, duration, tmp_path):
    from pynwb import validate

    path = tmp_path / f"{lab}.nwb"
    plain = run_json(["run", lab, "--preset", preset, "--duration", duration])
    with_nwb = run_json(["run", lab, "--preset", preset, "--duration", duration, "--nwb", str(path)])
    assert with_nwb == plain  # sampling along the way does not change the run
    assert validate(path=str(path)) == []
    messages = inspect(path)
    assert [m for m in messages if m.importance.name == "CRITICAL"] == []
    # The one best-practice violation: a simulated subject has no species.
    assert {m.check_function_name for m in messages if m.importance.name == "BEST_PRACTICE_VIOLATION"} \
        <= {"check_subject_species_exists"}
    io_, nwbfile = read(path)
    with io_:
        meta = json.loads(nwbfile.notes)
        assert meta == {k: plain[k] for k in ("lab", "preset", "seed", "duration_ms", "params")} | \
            {"hebblab_version": hebblab.__version__}
        table = nwbfile.processing["hebblab"]["parameters"].to_dataframe()
        assert set(table["parameter"]) == set(plain["params"])
        metrics = nwbfile.processing["hebblab"]["metrics"].to_dataframe()
        assert "rate_mean_hz" in set(metrics["metric"]) or lab != "ei"


@needs_pynwb
def test_lif_spike_times_read_back_identical_and_the_trace_has_units_and_rate(tmp_path):
    path = tmp_path / "lif.nwb"
    record = run_json(["run", "lif", "--preset", "population", "--duration", "400", "--nwb", str(path)])
    times, cells = np.asarray(record["metrics"]["spike_times_ms"]), np.asarray(record["metrics"]["spike_cells"])
    io_, nwbfile = read(path)
    with io_:
        units = nwbfile.units.to_dataframe()
        assert len(units) == 100 and list(units["cell"]) == list(range(100))
        for cell, spikes in zip(units["cell"], units["spike_times"]):
            np.testing.assert_allclose(np.asarray(spikes) * 1000.0, times[cells == cell], rtol=0, atol=1e-9)
        assert sum(len(s) for s in units["spike_times"]) == record["metrics"]["spike_count"] > 100
        assert nwbfile.units.resolution == pytest.approx(1e-4)  # dt 0.1 ms, in s
        membrane = nwbfile.acquisition["membrane"]
        assert membrane.unit == "volts" and membrane.conversion == pytest.approx(1e-3)
        assert membrane.rate == pytest.approx(10_000.0)  # one sample per 0.1 ms step
        assert membrane.data[0] == pytest.approx(-70.0)  # V_rest, in mV before the conversion


@needs_pynwb
def test_stdp_weight_history_and_output_spikes(tmp_path):
    path = tmp_path / "stdp.nwb"
    record = run_json(["run", "stdp", "--duration", "4000", "--seed", "2", "--nwb", str(path)])
    io_, nwbfile = read(path)
    with io_:
        history = nwbfile.processing["hebblab"]["weights_history"]
        t = np.asarray(history["time"].data[:])
        w = np.asarray(history["weights"].data[:])
        assert t[0] == 0.0 and t[-1] == pytest.approx(4.0) and np.all(np.diff(t) > 0)
        assert w.shape == (t.size, 1000)
        assert w[-1].mean() == pytest.approx(record["metrics"]["mean_w_frac"], rel=1e-12)
        assert np.mean(w[-1] < 0.1) == record["metrics"]["frac_low"]
        assert 0.45 < w[0].mean() < 0.55  # w(0) ~ U(0, g_max)
        (spikes,) = nwbfile.units.to_dataframe()["spike_times"]
        assert len(spikes) == record["metrics"]["output_spike_count"] > 50
        first_10 = np.count_nonzero(np.asarray(spikes) <= 10.0) / 4.0  # the run is shorter than 10 s
        assert first_10 == pytest.approx(record["metrics"]["rate_first_10s_hz"])


@needs_pynwb
def test_ei_units_are_the_sampled_cells_with_their_population(tmp_path):
    path = tmp_path / "ei.nwb"
    run_json(["run", "ei", "--preset", "small", "--duration", "1500", "--nwb", str(path)])
    io_, nwbfile = read(path)
    with io_:
        units = nwbfile.units.to_dataframe()
        assert set(units["population"]) == {"E", "I"}
        assert (units["cell"][units["population"] == "E"] < 800).all()
        assert (units["cell"][units["population"] == "I"] >= 800).all()
        # 1.5 s is longer than the raster's 1 s window: the early spikes were sampled on the way
        assert min(float(np.min(s)) for s in units["spike_times"] if len(s)) < 0.5
        rates = nwbfile.acquisition["rates"]
        assert rates.unit == "Hz" and rates.rate == pytest.approx(200.0) and rates.data.shape[1] == 2
