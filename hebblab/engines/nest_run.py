"""`--engine nest`: a lab's experiment run by NEST in this process.

    hebblab run ei --engine nest --threads 4 --set n_cells=40000 --json   (hebblab.cli.engines)

The model is the one `hebblab export LAB --to nest` writes (templates/nest_<lab>.py, its
simulate() called here with the run's parameters), so a NEST-backed run and an exported
script give the same numbers for the same seed and thread count. NEST draws connectivity
and noise from its own generator, per virtual process: the thread count is part of the
experiment. The numpy engine's size limits (limits.py) do not apply. stdp's plastic synapse
comes from hebblab's NEST module (nest_module/, built by `python -m
hebblab.engines.nest_module`); without it the template says so in one line and runs NEST's
stdp_synapse, and the metrics' "synapse" names the model that ran.

Sweeps: `run_point` runs one grid point the way hebblab.sim.sweep.run_point does (never
raises; failures come back as the point's error), for any executor.
"""

from __future__ import annotations

import importlib
import os
import signal
import threading
from typing import Any

from hebblab.engines.export import LABS
from hebblab.errors import UsageError

# One NEST kernel per process: points that share a process (Dask threads) take turns.
_KERNEL = threading.Lock()


def check_lab(lab: str) -> None:
    if lab not in LABS:
        raise UsageError(f"--engine: nest has no model of lab {lab!r} here; --engine nest runs "
                         f"{', '.join(LABS)}")


def nest_model(lab: str):
    """The template module for a lab (imports NEST; UsageError if it is missing)."""
    from hebblab.engines import need

    check_lab(lab)
    os.environ.setdefault("PYNEST_QUIET", "1")  # NEST's banner would go to stdout
    need("nest", "nest", "--engine nest")
    if threading.current_thread() is threading.main_thread():
        # importing NEST makes the process ignore Ctrl-C; the runs go in slices, so take it back
        signal.signal(signal.SIGINT, signal.default_int_handler)
    model = importlib.import_module(f"hebblab.engines.templates.nest_{lab}")
    model.PROG = "hebblab"  # a template's warnings (stdp: NEST's synapse order) speak as hebblab
    return model


def simulate(lab_cls, params: dict, seed: int, duration_ms: float, threads: int) -> dict[str, Any]:
    """Run in NEST; the metrics as the exported script prints them."""
    model = nest_model(lab_cls.name)
    with _KERNEL:
        return model.simulate(dict(params), seed, duration_ms, threads)


def nest_version() -> str:
    import nest

    return str(getattr(nest, "__version__", "")) or "3"


def run_point(task, threads: int = 1) -> dict[str, Any]:
    """One sweep point in NEST; never raises (the error goes with the point)."""
    from hebblab.engines.limits import without_numpy_limits
    from hebblab.sim.labs import get_lab
    from hebblab.sim.params import ParamError
    from hebblab.sim.sweep import scalar_metrics

    metrics: dict[str, Any] = {}
    error = None
    try:
        lab_cls = get_lab(task.lab)
        with without_numpy_limits():
            params = lab_cls.resolve_params(task.preset, task.params)
        if round(task.duration_ms / params["dt_ms"]) < 1:
            raise ParamError("dt_ms", f"{task.duration_ms:g} ms is shorter than one time step "
                             f"(dt_ms = {params['dt_ms']:g}); give a longer --duration")
        metrics = scalar_metrics(simulate(lab_cls, params, task.seed, task.duration_ms, threads))
    except (ParamError, UsageError) as err:
        error = str(err)
    except Exception as err:  # noqa: BLE001 - one bad point must not end the sweep
        error = f"{type(err).__name__}: {err}"
    return {"params": dict(task.point), "metrics": metrics, "error": error}
