"""Shared by the cross-checks against Brian2 and NEST (tests/test_export.py,
tests/test_engine_nest.py): hebblab's own runs, exported scripts run as programs, and the
comparisons the issue sets (lif spike times within one dt, ei rates within 10 % averaged
over seeds, stdp weight fractions within 0.05 and rates within 15 %).

Cross-check sizes, chosen so CI stays short on two cores:
  ei    the `cuba` preset (4000 cells, 80 inputs each), 0.5 s, seeds 0-7. The rate depends on
        the network drawn more than on the run's length: one draw's mean rate scatters by
        3.4 % at 4000 cells but by 9-11 % at 1000 (the `small` preset: seeds 0-7 average
        5.11 Hz there, seeds 8-15 5.77 Hz), so the big network, briefly.
  stdp  20 s of Song 2000 (not 100 s), seeds 0-3: the weights have begun to split (frac_low
        0.10 -> ~0.16) and the output rate to fall; the first and last 10 s are disjoint.
        Both engines start from the same initial weights (the scripts draw them with numpy
        as hebblab does): the rate of this cell moves ~13 % per 1 % of mean weight, so
        different draws alone would scatter the rates by 15 %.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from hebblab.cli.main import main
from hebblab.sim.labs import get_lab

EI_PRESET = "cuba"
EI_SEEDS = tuple(range(8))
EI_MS = 500.0
STDP_SEEDS = tuple(range(4))
STDP_MS = 20_000.0


def importable(module: str) -> bool:
    if module == "nest":
        os.environ.setdefault("PYNEST_QUIET", "1")  # no banner on the test's stdout
    try:
        __import__(module)
    except Exception:  # noqa: BLE001 - brian2 on numpy >= 2.4 raises AttributeError
        return False
    return True


@functools.lru_cache(maxsize=None)
def hebblab_metrics(lab: str, preset: str, seed: int, duration_ms: float, sets: tuple = ()) -> dict:
    """hebblab's own run (the numpy engine), as `hebblab run --json` reports it."""
    run = get_lab(lab)(dict(sets), seed=seed, preset=preset)
    run.run(duration_ms)
    return json.loads(json.dumps(run.metrics()))


def export(tmp_path: Path, lab: str, engine: str, preset: str, duration_ms: float, sets: tuple = ()) -> Path:
    """`hebblab export` into tmp_path; the script's path."""
    out = tmp_path / f"{engine}_{lab}_{preset}.py"
    argv = ["export", lab, "--preset", preset, "--duration", f"{duration_ms:g}", "--to", engine, "--out", str(out)]
    for name, value in sets:
        argv += ["--set", f"{name}={value}"]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(argv) == 0
    return out


def run_script(script: Path, seed: int, *args: str, timeout: float = 900) -> dict:
    """Run an exported script with this Python; its one JSON object."""
    proc = subprocess.run([sys.executable, str(script), "--seed", str(seed), *args], capture_output=True,
                          text=True, timeout=timeout, cwd=script.parent)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one JSON line on stdout, got: {proc.stdout[:2000]!r}"
    return json.loads(lines[0])


def run_seeds(script: Path, seeds, *args: str) -> list[dict]:
    """The script once per seed, two at a time (this machine has two cores)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(lambda s: run_script(script, s, *args), seeds))


def mean_of(runs: list[dict], key: str) -> float:
    return float(np.mean([r[key] for r in runs]))


def assert_spike_times_within_one_dt(ours: dict, theirs: dict, dt_ms: float) -> None:
    a, b = np.asarray(ours["spike_times_ms"]), np.asarray(theirs["spike_times_ms"])
    assert a.size > 0 and a.size == b.size, (a.size, b.size)
    assert np.max(np.abs(a - b)) <= dt_ms + 1e-9, np.max(np.abs(a - b))
    assert ours["spike_count"] == theirs["spike_count"]


def assert_ei_rates_agree(ours: list[dict], theirs: list[dict], tol: float = 0.10) -> dict:
    """Seed-averaged rates (and the CV of the ISI) within `tol`; the relative differences."""
    out = {}
    for key in ("rate_mean_hz", "rate_exc_hz", "rate_inh_hz", "cv_isi_mean"):
        a, b = mean_of(ours, key), mean_of(theirs, key)
        out[key] = b / a - 1.0
        assert abs(b / a - 1.0) <= tol, f"{key}: hebblab {a:.4g}, other {b:.4g} ({100 * (b / a - 1):+.1f} %)"
    return out


def assert_runaway(ours: dict, theirs: dict, tol: float = 0.10) -> None:
    """Without inhibition both networks run away to near the refractory limit."""
    for m in (ours, theirs):
        assert m["rate_mean_hz"] > 50.0, m["rate_mean_hz"]  # balanced: ~5 Hz
    assert abs(theirs["rate_mean_hz"] / ours["rate_mean_hz"] - 1.0) <= tol, (ours["rate_mean_hz"],
                                                                              theirs["rate_mean_hz"])
    print(f"runaway: hebblab {ours['rate_mean_hz']:.4g} Hz, other {theirs['rate_mean_hz']:.4g} Hz")


def stdp_differences(ours: list[dict], theirs: list[dict]) -> dict:
    """Seed-averaged differences: fractions absolute, rates relative."""
    out = {k: mean_of(theirs, k) - mean_of(ours, k) for k in ("frac_low", "frac_high")}
    for k in ("rate_first_10s_hz", "rate_last_10s_hz"):
        out[k] = mean_of(theirs, k) / mean_of(ours, k) - 1.0
    return out
