"""The numpy engine's size limits, lifted for runs in other engines.

hebblab.sim.labs.ei caps a network at MAX_SYNAPSES (n_cells x in_degree): the numpy engine
holds every synapse in memory on one core. NEST distributes synapses over threads and MPI
ranks and a script for Brian2 or NEST is not bound by our memory, so planning such a run
(validating its parameters) happens with the cap lifted. Planning is quick and done in
the command's own thread, and the cap is back before the command goes on.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def without_numpy_limits() -> Iterator[None]:
    from hebblab.sim.labs import ei

    saved = ei.MAX_SYNAPSES
    ei.MAX_SYNAPSES = sys.maxsize
    try:
        yield
    finally:
        ei.MAX_SYNAPSES = saved
