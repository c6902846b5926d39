"""The command-line side of hebblab.engines: the flags `hebblab run` and `hebblab sweep`
take for other engines, their checks, and the NEST-backed run.

run:    --engine numpy|nest, --threads N (NEST), --nwb FILE (NWB, numpy engine)
sweep:  --engine numpy|nest, --threads N (per point, NEST), --scheduler ADDRESS|local (Dask)

The commands call `add_run_flags` / `add_sweep_flags` from register(), and
`run_elsewhere`, `start_nwb`, `sweep_planning`, `sweep_elsewhere` from run(); the work
itself is in hebblab.engines (nest_run, nwb, dask_sweep).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from hebblab.errors import UsageError

ENGINE_CHOICES = ("numpy", "nest")
MAX_THREADS = 256


def add_engine_flags(p, what: str) -> None:
    p.add_argument("--engine", choices=ENGINE_CHOICES, default="numpy",
                   help=f"the simulator for {what}: numpy (hebblab's own, the default) or nest (NEST "
                   "in this process: lif, ei, stdp; the `nest` extra; no size cap on ei)")
    p.add_argument("--threads", metavar="N",
                   help=f"NEST threads for {what} (with --engine nest; default 1; the thread count "
                   "is part of a NEST experiment: it splits the random streams)")


def add_run_flags(p) -> None:
    add_engine_flags(p, "the run")
    p.add_argument("--nwb", metavar="FILE",
                   help="also write the run as Neurodata Without Borders (spike times, traces, "
                   "weight history, parameters); the `nwb` extra")


def add_sweep_flags(p) -> None:
    add_engine_flags(p, "each point")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run the points on a Dask cluster: a scheduler's address (tcp://host:8786) "
                   "or `local` (a LocalCluster of --jobs workers here); the `dask` extra")


def parse_threads(text) -> int:
    if text is None:
        return 1
    try:
        threads = int(str(text).strip())
    except ValueError:
        threads = 0
    if not 1 <= threads <= MAX_THREADS:
        raise UsageError(f"--threads: expected an integer in [1, {MAX_THREADS}], got {text!r}")
    return threads


def check_engine_args(args) -> int:
    """The thread count for --engine nest, after refusing what NEST runs do not have."""
    if args.engine == "numpy":
        if getattr(args, "threads", None) is not None:
            raise UsageError("--threads: only with --engine nest (the numpy engine runs each "
                             "simulation on one core)")
        return 1
    for option, given in (("--out", getattr(args, "out", None) is not None),
                          ("--nwb", getattr(args, "nwb", None) is not None),
                          ("--plot", getattr(args, "plot", None) is True)):
        if given:
            raise UsageError(f"{option}: not available with --engine nest (it needs the numpy "
                             "engine's recorded series); use --json for NEST's metrics")
    return parse_threads(args.threads)


# -- run --------------------------------------------------------------------------------------
def run_elsewhere(args) -> int | None:
    """--engine nest: the whole run, returning its exit status; numpy: None (go on)."""
    check_engine_args(args)
    if args.engine == "numpy":
        return None
    return run_in_nest(args)


def start_nwb(args, lab, duration_ms: float):
    """Before the run: an NwbRecorder watching `lab` (checks the extra and the file name),
    or None without --nwb."""
    if getattr(args, "nwb", None) is None:
        return None
    from hebblab.engines.nwb import NwbRecorder

    return NwbRecorder(args.nwb, lab, duration_ms)


# -- sweep ------------------------------------------------------------------------------------
@contextmanager
def sweep_planning(args) -> Iterator[None]:
    """Around the sweep's planning: refuse bad engine flags, lift the numpy limits for NEST."""
    if args.engine == "numpy" and getattr(args, "threads", None) is not None:
        raise UsageError("--threads: only with --engine nest (the numpy engine runs each point "
                         "on one core; --jobs sets how many run at once)")
    if args.scheduler is not None:
        from hebblab.engines.dask_sweep import parse_scheduler

        parse_scheduler(args.scheduler)
    if args.engine == "numpy":
        yield
        return
    parse_threads(args.threads)
    from hebblab.engines.limits import without_numpy_limits

    with without_numpy_limits():
        yield


def sweep_elsewhere(args, plan, sets, varies, jobs, on_point):
    """A SweepResult computed on Dask and/or by NEST, or None for the default executor."""
    if args.engine == "numpy" and args.scheduler is None:
        return None
    from hebblab.engines.dask_sweep import sweep

    return sweep(plan, sets, varies, jobs, on_point, engine=args.engine,
                 threads=parse_threads(args.threads), scheduler=args.scheduler)


def run_in_nest(args) -> int:
    """`hebblab run --engine nest`: plan as for the numpy engine (without its size limits),
    run in NEST in this process, print one JSON object or a summary."""
    import sys

    from hebblab.cli.run_inputs import plan_run, print_notices
    from hebblab.engines.export import check
    from hebblab.engines.limits import without_numpy_limits
    from hebblab.engines.nest_run import nest_model, simulate
    from hebblab.runfiles import dumps_record
    from hebblab.sim.labs.base import jsonable

    threads = check_engine_args(args)
    with without_numpy_limits():
        plan = plan_run(args.lab, args.preset, args.sets, args.seed, args.duration, args.config)
    nest_model(plan.lab_cls.name)  # the lab and the extra, before anything else is said
    print_notices(plan.notices)
    for line in check("nest", plan.lab_cls, plan.params):
        print(f"hebblab: warning: {line}", file=sys.stderr)
    metrics = simulate(plan.lab_cls, plan.params, plan.seed, plan.duration_ms, threads)
    record = {
        "lab": plan.lab_cls.name, "preset": plan.preset, "seed": plan.seed,
        "duration_ms": float(plan.duration_ms), "params": jsonable(dict(plan.params)),
        "metrics": jsonable(metrics), "engine": "nest", "threads": threads,
    }
    if args.json:
        print(dumps_record(record))
        return 0
    print(nest_summary(plan, record))
    return 0


def nest_summary(plan, record: dict) -> str:
    from hebblab.engines.nest_run import nest_version
    from hebblab.format import fmt_value, with_unit

    lab_cls = plan.lab_cls
    units = {r.name: r.unit for r in lab_cls.readout_specs}
    threads = record["threads"]
    lines = [f"{lab_cls.name}: {lab_cls.title}" if lab_cls.title else lab_cls.name,
             f"preset {plan.preset} | seed {plan.seed} | {plan.duration_ms:.10g} ms simulated in NEST "
             f"{nest_version()} ({threads} thread{'s' if threads != 1 else ''})"]
    preset_params = lab_cls.resolve_params(plan.preset)
    changed = {k: v for k, v in plan.params.items() if preset_params.get(k) != v}
    if changed:
        lines.append("changed: " + ", ".join(f"{k}={lab_cls.spec(k).format(v)}" for k, v in changed.items()))
    shown = {k: v for k, v in record["metrics"].items() if not isinstance(v, list)}
    if shown:
        width = max(len(k) for k in shown)
        lines += ["", "metrics:"]
        lines += [f"  {k.ljust(width)}  {with_unit(fmt_value(v), units.get(k, ''))}" for k, v in shown.items()]
    lists = [k for k, v in record["metrics"].items() if isinstance(v, list)]
    if lists:
        lines.append(f"  ({', '.join(lists)}: see --json)")
    return "\n".join(lines)
