"""What every NEST script shares: slicing a run, the MPI spike swap, quiet NEST, and main.

A template imports these; `hebblab export` pastes the part below the line into the
script in place of that import, so an exported script stays standalone. The template
imports every module the part uses (argparse, json, os, signal, sys, traceback, nest, np).
"""

import argparse
import json
import os
import signal
import sys
import traceback

os.environ.setdefault("PYNEST_QUIET", "1")
import nest  # noqa: E402
import numpy as np  # noqa: E402

# --- pasted into every exported NEST script from here -----------------------------------
SLICE_MS = 1000.0  # longest nest.Simulate call (see advance)


def advance(duration_ms: float, dt: float) -> None:
    """nest.Simulate in slices of at most SLICE_MS: Ctrl-C stops a long run between slices
    (the slices give the same run as one call)."""
    steps, per_slice = round(duration_ms / dt), max(1, round(SLICE_MS / dt))
    while steps > 0:
        k = min(steps, per_slice)
        nest.Simulate(k * dt)
        steps -= k


def gather(name: str, local: dict, data_dir: str) -> dict:
    """Every rank's rows of `local` (equal-length arrays), concatenated in rank order.

    NEST keeps each cell, its spikes and its incoming synapses on one MPI rank: each rank
    writes its part to data_dir, waits for the others, and reads them all."""
    size = nest.NumProcesses()
    if size == 1:
        return local
    path = os.path.join(data_dir, f"{name}-rank{{}}.npz")
    np.savez(path.format(nest.Rank()), **local)
    nest.SyncProcesses()
    parts = [dict(np.load(path.format(r))) for r in range(size)]
    nest.SyncProcesses()  # everyone has read every file
    os.remove(path.format(nest.Rank()))
    return {k: np.concatenate([part[k] for part in parts]) for k in local}


def quiet() -> None:
    try:
        nest.verbosity = nest.VerbosityLevel.ERROR  # NEST >= 3.9
    except AttributeError:
        nest.set_verbosity("M_ERROR")


def run_script(simulate, params: dict, seed: int, duration_ms: float, doc: str, seed_help: str) -> None:
    """The command line of a script: run `simulate`, print its metrics as one JSON object."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--threads", type=int, default=1, help="threads per MPI rank")
    parser.add_argument("--seed", type=int, default=seed, help=seed_help)
    parser.add_argument("--data-dir", default=".", help="where MPI ranks swap spikes (shared)")
    args = parser.parse_args()
    signal.signal(signal.SIGINT, signal.default_int_handler)  # NEST ignores Ctrl-C; take it back
    try:
        result = simulate(params, args.seed, duration_ms, args.threads, args.data_dir)
    except BaseException:
        if nest.NumProcesses() > 1:
            # Under mpirun the other ranks would wait for this one forever, and this one, in
            # NEST's shutdown, for them: say why here and end the whole job.
            traceback.print_exc()
            sys.stderr.flush()
            os._exit(1)
        raise
    if nest.Rank() == 0:
        print(json.dumps(result))
