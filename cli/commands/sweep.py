"""`hebblab sweep`: run a lab over a grid of parameter values, chart and save the metrics.

    hebblab sweep lif --vary I_ext_nA=1.0:3.0:0.1 --metric isi_rate_hz --duration 1000

Every input is checked before anything runs (bad ranges exit 2 with one line). Points run
in parallel (hebblab.sim.sweep, --jobs), with a rich progress bar and ETA on stderr when it is a
terminal. Then: a table of the points, a terminal chart of each metric against the first
varied parameter with the lab's closed form overlaid where it has one (Lab.theory_curve),
and with --out DIR the files sweep.csv and sweep.json (written all at once: nothing on
error). A point that fails or diverges is listed with its error; the sweep carries on.
--json prints one JSON object {lab, preset, seed, duration_ms, vary, set, metrics, points:
[{params, metrics, theory, error}]}. rich and the chart renderer are imported only inside run().
"""

from __future__ import annotations

import argparse
import sys

HELP_ORDER = 45
MAX_GROUPS = 6  # lines per chart when two or more parameters vary
DENSE = 201  # points of a theory curve on a chart
CLOCK_READOUTS = ("t_s", "t_ms")  # elapsed time: never the default metric of a sweep


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "sweep", help="run a lab over a grid of parameter values",
        description="Run a lab once per point of a parameter grid (in parallel), then print a "
        "table and a chart of each metric against the varied parameter, with the closed form "
        "where the lab has one. Ranges NAME=START:STOP:STEP include STOP.",
        epilog="example (the f-I curve against its closed form): hebblab sweep lif "
        "--vary I_ext_nA=1.0:3.0:0.1 --metric isi_rate_hz --duration 1000")
    p.add_argument("lab", metavar="LAB", help="lab name (see `hebblab labs`)")
    p.add_argument("--preset", metavar="P", help="preset the sweep starts from")
    p.add_argument("--vary", metavar="NAME=START:STOP:STEP", action="append", default=[],
                   dest="varies", help="a parameter range (repeat for a cartesian grid; the first "
                   "is the chart's x axis)")
    p.add_argument("--metric", metavar="NAME", action="append", default=[], dest="metrics",
                   help="metric to chart (repeatable or comma-separated; any numeric metric of the "
                   "lab; default: its first readout other than elapsed time)")
    p.add_argument("--set", metavar="NAME=VALUE", action="append", default=[], dest="sets",
                   help="fix a parameter for every point (repeatable)")
    p.add_argument("--duration", metavar="MS", help="biological time per point, in ms")
    p.add_argument("--seed", metavar="N", help="random seed (the same for every point)")
    p.add_argument("--jobs", metavar="N", help="worker processes (default: the cores available)")
    p.add_argument("--json", action="store_true", help="print exactly one JSON object on stdout")
    p.add_argument("--out", metavar="DIR", help="write sweep.csv and sweep.json into DIR (new or empty)")
    p.add_argument("--plot", action=argparse.BooleanOptionalAction, default=None,
                   help="draw terminal charts (default: only when stdout is a terminal)")
    from hebblab.cli.engines import add_sweep_flags

    add_sweep_flags(p)  # --engine, --threads, --scheduler: hebblab.engines
    p.set_defaults(func=run)


# -- checking input ---------------------------------------------------------------------------
def parse_jobs(text: str | None) -> int | None:
    from hebblab.errors import UsageError

    if text is None:
        return None
    try:
        jobs = int(text.strip())
    except ValueError:
        jobs = 0
    if not 1 <= jobs <= 256:
        raise UsageError(f"--jobs: expected an integer in [1, 256], got {text!r}")
    return jobs


def choose_metrics(lab_cls, requested: list[str], plan=None) -> list[str]:
    """The metrics to chart: the lab's readouts or any other number its metrics() reports
    (stdp's rate_first_10s_hz is not a readout); default: the first readout that is not
    the clock."""
    from hebblab.sim.params import ParamError, closest
    from hebblab.sim.sweep import scalar_metrics

    names = [r.name for r in lab_cls.readout_specs]
    wanted = [m.strip() for item in requested for m in item.split(",") if m.strip()]
    if not wanted:  # the clock (pairing's and stdp's first readout) is the same at every point
        return [n for n in names if n not in CLOCK_READOUTS][:1] or names[:1]
    if plan is not None and any(m not in names for m in wanted):
        # every point records these (sweep.csv has them): a fresh lab lists their names
        names += [k for k in scalar_metrics(plan.make_lab().metrics()) if k not in names]
    for m in wanted:
        if names and m not in names:
            raise ParamError("--metric", f"unknown metric {m!r} for lab {lab_cls.name!r}; choose one of "
                             + ", ".join(names) + closest(m, names))
    return list(dict.fromkeys(wanted))


def plan_sweep(args):
    """Everything validated: (plan, set overrides, varies, metrics, jobs). Raises on bad input."""
    from hebblab.sim.params import ParamError
    from hebblab.sim.sweep import build_grid, parse_vary
    from hebblab.errors import UsageError
    from hebblab.runfiles import check_out_dir
    from hebblab.cli.run_inputs import parse_sets, plan_run

    if not args.varies:
        raise UsageError("--vary: give at least one NAME=START:STOP:STEP (e.g. --vary I_ext_nA=1.0:3.0:0.1)")
    plan = plan_run(args.lab, args.preset, args.sets, args.seed, args.duration)
    lab_cls = plan.lab_cls
    sets = parse_sets(lab_cls, args.sets)  # keyed by current names, like the varies
    varies = [parse_vary(item, lab_cls) for item in args.varies]
    for v in varies:
        if v.name in sets:
            raise ParamError(v.name, "given both with --set and --vary; keep one")
    build_grid(varies)  # size and duplicate checks before anything runs
    metrics = choose_metrics(lab_cls, args.metrics, plan)
    jobs = parse_jobs(args.jobs)
    if args.out is not None:
        check_out_dir(args.out)
    return plan, sets, varies, metrics, jobs


# -- running ------------------------------------------------------------------------------------
def run(args) -> int:
    import json

    from hebblab.cli.run_inputs import name_notices, print_notices
    from hebblab.cli.engines import sweep_elsewhere, sweep_planning
    from hebblab.sim.sweep import run_sweep

    with sweep_planning(args):  # engine flags checked; NEST is not bound by the numpy limits
        plan, sets, varies, metrics, jobs = plan_sweep(args)
    print_notices([*plan.notices, *name_notices(plan.lab_cls, args.varies)])
    n_points = 1
    for v in varies:
        n_points *= len(v.values)
    with progress_bar(plan.lab_cls.name, n_points) as advance:
        result = sweep_elsewhere(args, plan, sets, varies, jobs, advance)  # --scheduler, --engine nest
        if result is None:
            result = run_sweep(plan.lab_cls.name, plan.preset, sets, varies, plan.duration_ms, plan.seed,
                               jobs=jobs, on_point=advance)
    add_theory(result, plan, metrics)
    record = result.to_json()
    record["metrics"] = metrics
    if args.out is not None:
        try:
            write_files(args.out, result, record, metrics)
        except OSError as err:  # checked before the sweep, but disks fill and dirs vanish
            from hebblab.errors import UsageError

            raise UsageError(f"--out: cannot write {args.out}: {err.strerror or err}") from None
    failed = result.failed
    if failed:
        print(f"hebblab: warning: {len(failed)} of {len(result.points)} points failed "
              "(listed in the output, error column)", file=sys.stderr)
    if args.json:
        print(json.dumps(record, allow_nan=False))
        return 0
    print(summary(result, plan, metrics))
    plot = sys.stdout.isatty() if args.plot is None else args.plot
    if plot:
        for metric in metrics:
            print()
            from hebblab.cli.terminal_charts import use_color

            print(chart(result, plan, metric, color=use_color(sys.stdout)))
    if args.out is not None:
        from pathlib import Path

        print(f"\nwrote {Path(args.out)}/ (sweep.csv, sweep.json)")
    return 0


class progress_bar:
    """A rich progress bar with ETA on stderr (only when stderr is a terminal)."""

    def __init__(self, lab: str, total: int):
        self.lab, self.total = lab, total
        self.progress = None

    def __enter__(self):
        if not sys.stderr.isatty():
            return lambda i, point: None
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                   TimeElapsedColumn, TimeRemainingColumn)

        self.progress = Progress(TextColumn(f"sweep {self.lab}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                                 console=Console(stderr=True), transient=True)
        self.progress.start()
        task = self.progress.add_task("points", total=self.total)
        return lambda i, point: self.progress.advance(task)

    def __exit__(self, *exc):
        if self.progress is not None:
            self.progress.stop()
        return False


def point_params(plan, point: dict) -> dict:
    return {**plan.params, **point["params"]}


def add_theory(result, plan, metrics: list[str]) -> None:
    """Each point gets {"theory": {metric: closed form at this point}} where the lab has one."""
    from hebblab.sim.sweep import theory_for

    x_name = result.varies[0].name
    for point in result.points:
        point["theory"] = {}
        for metric in metrics:
            y = theory_for(plan.lab_cls, metric, x_name, [point["params"][x_name]], point_params(plan, point))
            if y is not None:
                point["theory"][metric] = float(y[0])


# -- output ---------------------------------------------------------------------------------------
def fmt(v) -> str:
    from hebblab.format import fmt_value

    return fmt_value(v)


def summary(result, plan, metrics: list[str]) -> str:
    from hebblab.cli.text_tables import text_table

    names = [v.name for v in result.varies]
    lines = [f"sweep {result.lab}: preset {plan.preset} | seed {result.seed} | "
             f"{result.duration_ms:.10g} ms per point | {len(result.points)} points"]
    if result.base:
        lines.append("fixed: " + ", ".join(f"{k}={fmt(v)}" for k, v in result.base.items()))
    has_theory = {m for p in result.points for m in p.get("theory", {})}
    header = names + [c for m in metrics for c in ([m, f"theory {m}"] if m in has_theory else [m])]
    header.append("error")
    rows = []
    for p in result.points:
        row = [fmt(p["params"][n]) for n in names]
        for m in metrics:
            row.append(fmt(p["metrics"].get(m)))
            if m in has_theory:
                row.append(fmt(p["theory"].get(m)))
        row.append(p["error"] or "")
        rows.append(row)
    lines += ["", text_table(header, rows)]
    return "\n".join(lines)


def chart(result, plan, metric: str, color: bool = False) -> str:
    """The metric against the first varied parameter: one line per combination of the others."""
    import numpy as np

    from hebblab.sim.series import Series, SeriesSpec
    from hebblab.sim.sweep import theory_for
    from hebblab.cli.terminal_charts import render

    x_name = result.varies[0].name
    others = [v.name for v in result.varies[1:]]
    y_all = result.column(metric)
    groups: dict[tuple, list[int]] = {}
    for i, p in enumerate(result.points):
        groups.setdefault(tuple(p["params"][n] for n in others), []).append(i)
    # Axis labels "name (unit)" where the lab declares the unit (docs/vocabulary.md, Chart axes).
    y_unit = {r.name: r.unit for r in plan.lab_cls.readout_specs}.get(metric, "")
    x_unit = plan.lab_cls.spec(x_name).unit
    spec = SeriesSpec("sweep", "curve", f"{metric} vs {x_name}", f"{x_name} ({x_unit})" if x_unit else x_name,
                      f"{metric} ({y_unit})" if y_unit else metric)
    xs_all = np.array([float(p["params"][x_name]) for p in result.points])
    lo, hi = float(xs_all.min()), float(xs_all.max())
    dense = np.linspace(lo, hi, DENSE) if hi > lo else np.array([lo])
    overlays: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    shown = list(groups.items())[:MAX_GROUPS]
    for key, idx in shown:
        label = ", ".join(f"{n}={fmt(v)}" for n, v in zip(others, key))
        if others:
            overlays[label] = (xs_all[idx], y_all[idx])
        if len(shown) <= 3:
            params = {**plan.params, **result.points[idx[0]]["params"]}
            theory = theory_for(plan.lab_cls, metric, x_name, dense, params)
            if theory is not None:
                overlays["theory" + (f" {label}" if others else "")] = (dense, theory)
    if others:  # every line is an overlay with its label; no unlabelled main line
        series = Series(spec, y=np.array([]), x=np.array([]), overlays=overlays)
    else:
        series = Series(spec, y=y_all, x=xs_all, overlays=overlays)
    text = render(series, width=100, height=18, color=color)
    if len(groups) > len(shown):
        text += f"\n  ({len(groups) - len(shown)} more combinations of {', '.join(others)} not drawn: see the table)"
    return text


def csv_rows(result, metrics: list[str]) -> tuple[list[str], list[list]]:
    names = [v.name for v in result.varies]
    metric_cols: list[str] = []
    for p in result.points:
        for k in p["metrics"]:
            if k not in metric_cols:
                metric_cols.append(k)
    theory_cols = [m for m in metrics if any(m in p.get("theory", {}) for p in result.points)]
    header = names + metric_cols + [f"theory_{m}" for m in theory_cols] + ["error"]
    rows = []
    for p in result.points:
        rows.append([p["params"][n] for n in names]
                    + ["" if p["metrics"].get(k) is None else p["metrics"][k] for k in metric_cols]
                    + [p["theory"].get(m, "") for m in theory_cols]
                    + [p["error"] or ""])
    return header, rows


def write_files(out_dir: str, result, record: dict, metrics: list[str]) -> None:
    """sweep.csv and sweep.json into out_dir, all or nothing (hebblab.runfiles.write_atomically)."""
    import csv
    import json

    from hebblab.runfiles import write_atomically

    def fill(tmp) -> None:
        header, rows = csv_rows(result, metrics)
        with (tmp / "sweep.csv").open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            writer.writerows(rows)
        (tmp / "sweep.json").write_text(json.dumps(record, allow_nan=False, indent=2) + "\n", encoding="utf-8")

    write_atomically(out_dir, fill)
