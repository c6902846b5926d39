"""`hebblab sweep ... --scheduler local|ADDRESS`: the points on a Dask cluster.

With the `dask` extra (CI installs it in the engines' venv, where nothing here may skip):
the metrics equal the default executor's, every finished future is reported as it
finishes, a failing point is listed and the rest go on, Ctrl-C cancels what is queued;
one test starts `dask scheduler` and a `dask worker` as processes on 127.0.0.1. Without
the extra: one line naming it (runs everywhere: it hides distributed).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hebblab.cli.main import main
from tests.engine_reference import importable

ROOT = Path(__file__).resolve().parents[1]
needs_dask = pytest.mark.skipif(not importable("distributed"), reason="the dask extra is not installed here")
# four points; the last fails the lab's cross-parameter check (V_reset_mV above V_thresh_mV)
SWEEP = ["sweep", "lif", "--vary", "V_reset_mV=-80:-50:10", "--set", "method=exact", "--duration", "400", "--json"]


def cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def sweep_json(argv: list[str]) -> dict:
    code, out, err = cli(argv)
    assert code == 0, err
    return json.loads(out)


@pytest.fixture(scope="module")
def default_result() -> dict:
    return sweep_json([*SWEEP, "--jobs", "1"])


def test_without_distributed_one_line_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    code, out, err = cli([*SWEEP, "--scheduler", "local"])
    assert code == 2 and out == ""
    assert err == ("hebblab: error: --scheduler: needs distributed, which is not installed here; install "
                   "the 'dask' extra: pip install 'hebblab[dask]'\n")


@pytest.mark.parametrize("address", ["127.0.0.1:8786", "http://x:1", "tcp://", ""])
def test_a_malformed_address_is_one_line_before_anything_runs(address):
    code, out, err = cli([*SWEEP, "--scheduler", address])
    assert code == 2 and out == "" and err.startswith("hebblab: error: --scheduler: expected `local` or")


@needs_dask
def test_local_cluster_gives_the_default_executors_metrics_and_reports_the_failing_point(default_result):
    result = sweep_json([*SWEEP, "--scheduler", "local", "--jobs", "2"])
    assert result == default_result
    errors = [p["error"] for p in result["points"]]
    assert errors[:3] == [None, None, None]  # -80, -70, -60 run
    assert "V_reset_mV" in errors[3]  # -50 is above V_thresh_mV -54: that point fails, the rest ran
    assert result["points"][0]["metrics"]["spike_count"] > 0


@needs_dask
def test_an_unreachable_scheduler_is_one_line():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, out, err = cli([*SWEEP, "--scheduler", f"tcp://127.0.0.1:{port}"])
    assert code == 2 and out == "" and err.startswith(f"hebblab: error: --scheduler: cannot reach tcp://127.0.0.1:{port}")
    assert err.count("\n") == 1


def boom(task):
    """A point function whose future fails for one point (a worker-level failure)."""
    if task.point["I_ext_nA"] == 2.0:
        raise RuntimeError("this worker fell over")
    from hebblab.sim.sweep import run_point

    return run_point(task)


def _tasks(values):
    from hebblab.sim.sweep import PointTask

    return [PointTask("lif", "chapter", {"I_ext_nA": v}, {"I_ext_nA": v}, 0, 200.0) for v in values]


@needs_dask
def test_progress_follows_the_futures_and_a_failed_future_is_that_points_error():
    from hebblab.engines.dask_sweep import run_on_dask

    seen = []
    results = run_on_dask("local", _tasks([1.8, 2.0, 2.2, 2.4]), boom, 2, lambda i, res: seen.append(i))
    assert sorted(seen) == [0, 1, 2, 3]  # one report per finished future
    assert [r["params"]["I_ext_nA"] for r in results] == [1.8, 2.0, 2.2, 2.4]  # grid order
    assert results[1]["error"] == "worker failed: RuntimeError: this worker fell over"
    assert all(r["error"] is None and r["metrics"]["spike_count"] > 0 for r in results[::2])


@pytest.fixture
def dask_processes(tmp_path):
    """`dask scheduler` and one `dask worker`, separate processes, on 127.0.0.1 only."""
    dask = shutil.which("dask", path=str(Path(sys.executable).parent)) or shutil.which("dask")
    if dask is None:
        pytest.skip("the dask command is not installed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    log = (tmp_path / "dask.log").open("w")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # the worker unpickles this module's `boom`
    procs = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--no-dashboard", "--no-show"], stdout=log, stderr=log, cwd=tmp_path, env=env)]
    try:
        procs.append(subprocess.Popen([dask, "worker", address, "--host", "127.0.0.1", "--nworkers", "1",
                                       "--nthreads", "1", "--no-dashboard", "--no-nanny"],
                                      stdout=log, stderr=log, cwd=tmp_path, env=env))
        from distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(1, timeout=120)
        yield address
    finally:
        for proc in procs[::-1]:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        log.close()


@needs_dask
def test_a_sweep_through_a_scheduler_and_a_worker_started_as_processes(dask_processes, default_result):
    from distributed import Client

    from hebblab.engines.dask_sweep import run_on_dask

    result = sweep_json([*SWEEP, "--scheduler", dask_processes])
    assert result == default_result

    # Ctrl-C after the first point: what is still queued is cancelled on the scheduler.
    def interrupt(i, res):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_on_dask(dask_processes, _tasks([1.7, 1.8, 1.9, 2.0, 2.1, 2.2, 2.3, 2.4]), boom, 1, interrupt)
    with Client(dask_processes, timeout=30) as client:
        deadline = time.monotonic() + 30
        while client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)) == 0
