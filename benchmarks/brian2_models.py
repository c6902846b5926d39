"""The benchmark workloads W1-W4 written for Brian2, the simulator a user would otherwise pick.

Each model follows the published script it is named after, so the comparison is with
Brian2 used the way its own examples use it:

  W1  the chapter's LIF neuron (science.md section 1): forward Euler, dt 0.1 ms, no
      refractory period, constant 1.8 nA drive; 100 s.
  W2  CUBA (Brette et al. 2007; Brian2's examples/CUBA.py; science.md section 6): 4000 cells,
      3200 E / 800 I, p = 0.02, exact integration, refractory 5 ms; 1 s.
  W3  the same network at N = 16000 with in-degree 80 (p = 80/N); 1 s.
  W4  Song, Miller & Abbott 2000 (Brian2's examples/synapses/STDP.py; science.md section 5):
      1000 Poisson inputs at 15 Hz, one conductance LIF, additive pair STDP; 100 s.

`run_workload(name, target, duration_ms, seed, cache_dir)` builds the model, runs it and
returns timings plus a few sanity figures (rates, the Song weight split) so a reader can see
both simulators ran the same workload. The times it reports:

  build_s     constructing groups and synapses (connect() runs here in runtime mode)
  run_call_s  the whole net.run() call: code generation, cython compile (cold or cached), loop
  loop_s      the time-step loop alone (Brian2's own `device._last_run_time`)
  loop_cpu_s  CPU time of that same loop (robust when other programs share the cores)

Brian2 is imported inside the functions so importing this module never needs it.
"""

from __future__ import annotations

import time
from typing import Any, Callable

WORKLOADS = ("W1", "W2", "W3", "W4")
TARGETS = ("numpy", "cython")


def _setup(target: str, seed: int, cache_dir: str | None) -> Any:
    import brian2 as b2

    if target not in TARGETS:
        raise ValueError(f"unknown Brian2 target {target!r}; choose one of {', '.join(TARGETS)}")
    b2.start_scope()
    b2.prefs.codegen.target = target
    if target == "cython" and cache_dir:
        b2.prefs.codegen.runtime.cython.cache_dir = cache_dir
    b2.defaultclock.dt = 0.1 * b2.ms
    b2.seed(seed)
    return b2


def _w1_lif(b2: Any, duration_ms: float) -> tuple[Any, Callable[[], dict]]:
    """The chapter's neuron: tau_m dV/dt = -(V - V_rest) + R I, Euler, reset to V_reset."""
    ns = dict(tau_m=20 * b2.ms, V_rest=-70 * b2.mV, V_thresh=-54 * b2.mV,
              V_reset=-80 * b2.mV, R_m=10 * b2.Mohm, I_ext=1.8 * b2.nA)
    cell = b2.NeuronGroup(1, "dv/dt = (-(v - V_rest) + R_m*I_ext) / tau_m : volt",
                          threshold="v >= V_thresh", reset="v = V_reset",
                          method="euler", namespace=ns)
    cell.v = ns["V_rest"]
    spikes = b2.SpikeMonitor(cell)
    net = b2.Network(cell, spikes)

    def result() -> dict:
        t = spikes.t / b2.ms
        isi_rate = 1000.0 / float((t[1:] - t[:-1]).mean()) if len(t) > 1 else 0.0
        return {"spikes": int(spikes.num_spikes), "isi_rate_hz": isi_rate}

    return net, result


def _cuba(b2: Any, n_cells: int, p_connect: float) -> tuple[Any, Callable[[], dict]]:
    """Brian2's CUBA example, with N and p as arguments (N 4000, p 0.02 is the original)."""
    ns = dict(taum=20 * b2.ms, taue=5 * b2.ms, taui=10 * b2.ms, Vt=-50 * b2.mV,
              Vr=-60 * b2.mV, El=-49 * b2.mV,
              we=(60 * 0.27 / 10) * b2.mV, wi=(-20 * 4.5 / 10) * b2.mV)
    eqs = """
    dv/dt  = (ge+gi-(v-El))/taum : volt (unless refractory)
    dge/dt = -ge/taue : volt
    dgi/dt = -gi/taui : volt
    """
    n_exc = int(round(0.8 * n_cells))
    cells = b2.NeuronGroup(n_cells, eqs, threshold="v>Vt", reset="v = Vr",
                           refractory=5 * b2.ms, method="exact", namespace=ns)
    cells.v = "Vr + rand() * (Vt - Vr)"
    cells.ge = 0 * b2.mV
    cells.gi = 0 * b2.mV
    exc = b2.Synapses(cells, cells, on_pre="ge += we", namespace=ns)
    inh = b2.Synapses(cells, cells, on_pre="gi += wi", namespace=ns)
    exc.connect(f"i<{n_exc}", p=p_connect)
    inh.connect(f"i>={n_exc}", p=p_connect)
    spikes = b2.SpikeMonitor(cells)
    net = b2.Network(cells, exc, inh, spikes)

    def result() -> dict:
        seconds = float(net.t / b2.second)
        return {"spikes": int(spikes.num_spikes),
                "rate_mean_hz": spikes.num_spikes / n_cells / seconds if seconds else 0.0,
                "synapses": int(len(exc) + len(inh))}

    return net, result


def _w4_song(b2: Any) -> tuple[Any, Callable[[], dict]]:
    """Brian2's STDP example (Song, Miller & Abbott 2000), monitors reduced to spike counts."""
    n_inputs = 1000
    gmax = 0.01
    dApre = 0.01 * gmax
    ns = dict(taum=10 * b2.ms, taupre=20 * b2.ms, taupost=20 * b2.ms, Ee=0 * b2.mV,
              vt=-54 * b2.mV, vr=-60 * b2.mV, El=-74 * b2.mV, taue=5 * b2.ms,
              gmax=gmax, dApre=dApre, dApost=-dApre * 1.05)
    inputs = b2.PoissonGroup(n_inputs, rates=15 * b2.Hz)
    cell = b2.NeuronGroup(1, """dv/dt = (ge * (Ee-v) + El - v) / taum : volt
                                dge/dt = -ge / taue : 1""",
                          threshold="v>vt", reset="v = vr", method="euler", namespace=ns)
    cell.v = ns["vr"]
    syn = b2.Synapses(inputs, cell,
                      """w : 1
                         dApre/dt = -Apre / taupre : 1 (event-driven)
                         dApost/dt = -Apost / taupost : 1 (event-driven)""",
                      on_pre="""ge += w
                                Apre += dApre
                                w = clip(w + Apost, 0, gmax)""",
                      on_post="""Apost += dApost
                                 w = clip(w + Apre, 0, gmax)""",
                      namespace=ns)
    syn.connect()
    syn.w = "rand() * gmax"
    out_spikes = b2.SpikeMonitor(cell)
    net = b2.Network(inputs, cell, syn, out_spikes)

    def result() -> dict:
        import numpy as np

        w = np.asarray(syn.w) / gmax
        seconds = float(net.t / b2.second)
        t_s = np.asarray(out_spikes.t / b2.second)
        return {"spikes": int(out_spikes.num_spikes),
                "rate_out_hz": out_spikes.num_spikes / seconds if seconds else 0.0,
                "rate_recent_hz": float((t_s >= seconds - 1.0).sum()),  # over the last second
                "frac_low": float((w < 0.1).mean()),
                "frac_high": float((w > 0.9).mean())}

    return net, result


def build(b2: Any, name: str, duration_ms: float) -> tuple[Any, Callable[[], dict]]:
    if name == "W1":
        return _w1_lif(b2, duration_ms)
    if name == "W2":
        return _cuba(b2, 4000, 0.02)
    if name == "W3":
        return _cuba(b2, 16000, 80 / 16000)
    if name == "W4":
        return _w4_song(b2)
    raise ValueError(f"unknown workload {name!r}; choose one of {', '.join(WORKLOADS)}")


class _LoopClock:
    """Stands in for the `time` module inside brian2.core.network: Network.run reads
    time.time() once before its time-step loop and once after (without a report or a
    maximum run time), so the process CPU time at those two calls brackets the loop."""

    def __init__(self):
        self.cpu: list[float] = []

    def time(self) -> float:
        self.cpu.append(time.process_time())
        return time.time()

    def __getattr__(self, name):
        return getattr(time, name)


def run_workload(name: str, target: str, duration_ms: float, seed: int = 1,
                 cache_dir: str | None = None) -> dict:
    """Build and run one workload in Brian2; timings (seconds) and sanity figures."""
    t0 = time.perf_counter()
    b2 = _setup(target, seed, cache_dir)
    import brian2.core.network as network_module

    net, result = build(b2, name, duration_ms)
    t1 = time.perf_counter()
    clock = _LoopClock()
    saved, network_module.time = network_module.time, clock
    try:
        net.run(duration_ms * b2.ms)
    finally:
        network_module.time = saved
    t2 = time.perf_counter()
    out = {"build_s": t1 - t0, "run_call_s": t2 - t1,
           "loop_s": float(b2.device._last_run_time),
           "loop_cpu_s": clock.cpu[-1] - clock.cpu[0] if len(clock.cpu) >= 2 else None}
    out.update(result())
    return out


if __name__ == "__main__":  # quick manual check: python benchmarks/brian2_models.py W2 cython 100
    import json
    import sys

    args = sys.argv[1:]
    print(json.dumps(run_workload(args[0], args[1], float(args[2]))))
