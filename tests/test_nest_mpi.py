"""The exported NEST scripts under real MPI.

NEST draws its random numbers per virtual process (ranks x threads), and promises the same
results for the same number of them however they are split. So `mpirun -n 2 ... --threads 1`
must print what `--threads 2` in one process prints, once the ranks have swapped their
cells' spikes (and stdp's weights) through --data-dir; and the swap files must be gone.

Opt-in: the nest-simulator wheel (CI's NEST venv) is built without MPI. Set
HEBBLAB_MPI_PYTHON to the Python of a NEST built with MPI (`nest.build_info["have_mpi"]`),
with hebblab's stdp module built for it (`python -m hebblab.engines.nest_module`), and have
mpirun on PATH. The README ("Outgrowing the lab") says how it was built and run here.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests import engine_reference as ref

MPI_PYTHON = os.environ.get("HEBBLAB_MPI_PYTHON", "")
pytestmark = pytest.mark.skipif(not (MPI_PYTHON and shutil.which("mpirun")),
                                reason="opt-in: HEBBLAB_MPI_PYTHON (a NEST built with MPI) and mpirun")
CASES = [("lif", "chapter", 500.0, ()), ("ei", "small", 300.0, ()),
         ("stdp", "song2000", 2000.0, (("n_inputs", 200),))]


def run(command: list[str], cwd: Path) -> dict:
    proc = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=cwd)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one JSON line (rank 0's), got: {proc.stdout[:2000]!r}"
    return json.loads(lines[0])


def same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-12)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def test_have_mpi():
    out = subprocess.run([MPI_PYTHON, "-c", "import nest; print(nest.build_info['have_mpi'])"],
                         capture_output=True, text=True, timeout=120)
    assert out.stdout.strip().splitlines()[-1] == "True", out.stderr[-2000:]


# (ranks, threads per rank): 2 x 1 on this 2-core machine; 4 x 1 and 2 x 2 oversubscribed,
# for a swap among more than two ranks and ranks that are themselves threaded.
SPLITS = [(2, 1), (4, 1), (2, 2)]


@pytest.mark.parametrize("ranks_n,threads_n", SPLITS, ids=[f"{r}x{t}" for r, t in SPLITS])
@pytest.mark.parametrize("lab,preset,duration_ms,sets", CASES, ids=[c[0] for c in CASES])
def test_ranks_print_what_as_many_threads_print(lab, preset, duration_ms, sets, ranks_n, threads_n, tmp_path):
    script = ref.export(tmp_path, lab, "nest", preset, duration_ms, sets)
    swap = tmp_path / "swap"
    swap.mkdir()
    threads = run([MPI_PYTHON, str(script), "--seed", "3", "--threads", str(ranks_n * threads_n)], tmp_path)
    ranks = run(["mpirun", "--allow-run-as-root", "--oversubscribe", "-n", str(ranks_n), MPI_PYTHON, str(script),
                 "--seed", "3", "--threads", str(threads_n), "--data-dir", str(swap)], tmp_path)
    assert threads.keys() == ranks.keys()
    differ = {k: (threads[k], ranks[k]) for k in threads if k != "threads" and not same(threads[k], ranks[k])}
    assert not differ
    assert list(swap.iterdir()) == []  # every rank removed its swap file
    if lab == "stdp":
        assert ranks["synapse"] == "stdp_transmit_first_synapse"  # the module loaded on both ranks
