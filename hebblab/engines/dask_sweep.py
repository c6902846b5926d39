"""Sweeps on a Dask cluster (`--scheduler`), and NEST sweeps (`--engine nest`).

    hebblab sweep ei --preset small --vary inh_gain=0.2:1.4:0.2 --scheduler tcp://10.0.0.5:8786
    hebblab sweep ei --vary inh_gain=0.2:1.4:0.2 --scheduler local --jobs 8

The grid, its tasks and each point's function are hebblab.sim.sweep's (each point seeded
as with the default executor, so the metrics are identical); only where the points run
changes. `--scheduler ADDRESS` sends them to a running Dask distributed scheduler (its
workers need hebblab installed); `local` starts a LocalCluster of --jobs worker processes
here. As each future finishes, its point is reported (progress bar and ETA); a point whose
future fails (a worker that died, say) is listed with the error and the rest go on;
Ctrl-C cancels what is still queued and closes the client (and a local cluster).
Without --scheduler, NEST points run in --jobs local processes (one NEST kernel each).
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any, Callable

from hebblab.errors import UsageError

ADDRESS = re.compile(r"^(tcp|tls|ws|wss|inproc|ucx)://[^\s/]+$")
CONNECT_TIMEOUT_S = 10


def parse_scheduler(text: str) -> str:
    """'local', or a scheduler address such as tcp://host:8786."""
    value = str(text).strip()
    if value == "local" or ADDRESS.match(value):
        return value
    raise UsageError(f"--scheduler: expected `local` or a Dask scheduler address such as "
                     f"tcp://host:8786, got {text!r}")


def sweep(plan, sets, varies, jobs: int | None, on_point, engine: str = "numpy", threads: int = 1,
          scheduler: str | None = None):
    """The SweepResult of this grid, the points run on Dask (scheduler) or, for NEST without
    a scheduler, in local processes."""
    from hebblab.sim.sweep import PointTask, SweepResult, build_grid, default_jobs, run_point

    lab = plan.lab_cls.name
    grid = build_grid(varies)
    tasks = [PointTask(lab, plan.preset, {**sets, **pt}, pt, plan.seed, plan.duration_ms) for pt in grid]
    if engine == "nest":
        from hebblab.engines import nest_run

        nest_run.check_lab(lab)
        if scheduler is None:  # NEST runs here: the extra, checked before any point runs
            nest_run.nest_model(lab)
        point = partial(nest_run.run_point, threads=threads)
    else:
        point = run_point
    jobs = default_jobs() if jobs is None else jobs
    if scheduler is not None:
        results = run_on_dask(parse_scheduler(scheduler), tasks, point, jobs, on_point)
    else:
        results = run_in_processes(tasks, point, jobs, on_point)
    return SweepResult(lab, plan.preset, plan.seed, plan.duration_ms, list(varies), dict(sets), results)


# -- Dask ---------------------------------------------------------------------------------------
def run_on_dask(scheduler: str, tasks, point: Callable, jobs: int, on_point) -> list[dict[str, Any]]:
    """Each task as a future on the cluster; results in grid order."""
    from hebblab.engines import need
    from hebblab.sim.sweep import failed_point

    need("distributed", "dask", "--scheduler")
    import logging

    from distributed import Client, LocalCluster, as_completed

    cluster = None
    try:
        if scheduler == "local":
            cluster = LocalCluster(n_workers=max(1, min(jobs, len(tasks))), threads_per_worker=1,
                                   processes=True, dashboard_address=None, silence_logs=logging.ERROR)
            client = Client(cluster)
        else:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError) as err:
        if cluster is not None:
            cluster.close()
        raise UsageError(f"--scheduler: cannot reach {scheduler}: {err}") from None
    results: list[dict[str, Any] | None] = [None] * len(tasks)
    futures = {}
    try:
        for i, task in enumerate(tasks):
            futures[client.submit(point, task, pure=False)] = i
        for fut in as_completed(list(futures)):
            i = futures[fut]
            try:
                res = fut.result()
            except Exception as err:  # noqa: BLE001 - a failed future is this point's error
                res = failed_point(tasks[i], err)
            results[i] = res
            on_point(i, res)
    except BaseException:  # Ctrl-C: drop what is queued; the client and cluster close below
        client.cancel(list(futures), force=True)
        raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return [r for r in results if r is not None]


# -- local processes (NEST without a scheduler) -------------------------------------------------
def run_in_processes(tasks, point: Callable, jobs: int, on_point) -> list[dict[str, Any]]:
    """Each task in a pool of `jobs` processes (one NEST kernel each); results in grid order."""
    from hebblab.sim.sweep import run_in_pool

    results: list[dict[str, Any] | None] = [None] * len(tasks)

    def done(i: int, res: dict[str, Any]) -> None:
        results[i] = res
        on_point(i, res)

    run_in_pool(tasks, point, max(1, min(jobs, len(tasks))), done)
    return [r for r in results if r is not None]
