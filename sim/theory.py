"""Closed forms for the LIF neuron (docs/science.md, lif), vectorised over the current I.

tau_m dV/dt = -(V - V_rest) + R*I, spike at V_thresh, reset to V_reset, refractory t_ref.
Units: mV, ms, MOhm, nA (MOhm * nA = mV); rates in Hz.
"""

from __future__ import annotations

import math

import numpy as np


def v_inf(I_nA, V_rest_mV: float, R_m_MOhm: float):
    """Steady-state potential V_rest + R*I (mV)."""
    return V_rest_mV + R_m_MOhm * np.asarray(I_nA, dtype=float)


def rheobase_nA(V_rest_mV: float, V_thresh_mV: float, R_m_MOhm: float) -> float:
    """Smallest constant current that ever fires the cell: (V_thresh - V_rest) / R."""
    return (V_thresh_mV - V_rest_mV) / R_m_MOhm


def time_to_threshold_ms(I_nA, V0_mV, tau_m_ms: float, V_rest_mV: float, V_thresh_mV: float,
                         R_m_MOhm: float):
    """Continuous time from V0 to V_thresh under constant I (inf if never reached)."""
    vi = v_inf(I_nA, V_rest_mV, R_m_MOhm)
    V0 = np.asarray(V0_mV, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = tau_m_ms * np.log((vi - V0) / (vi - V_thresh_mV))
    t = np.where(vi > V_thresh_mV, t, np.inf)
    t = np.where(V0 >= V_thresh_mV, 0.0, t)
    return t if t.ndim else float(t)


def first_spike_latency_ms(I_nA, tau_m_ms: float, V_rest_mV: float, V_thresh_mV: float,
                           R_m_MOhm: float):
    """Time of the first spike starting from rest: tau ln((V_inf-V_rest)/(V_inf-V_thresh))."""
    return time_to_threshold_ms(I_nA, V_rest_mV, tau_m_ms, V_rest_mV, V_thresh_mV, R_m_MOhm)


def lif_rate_hz(I_nA, tau_m_ms: float, V_rest_mV: float, V_thresh_mV: float, V_reset_mV: float,
                R_m_MOhm: float, t_ref_ms: float = 0.0):
    """Closed-form firing rate under constant I (the f-I curve), 0 at or below rheobase:
    1000 / (t_ref + tau ln((V_inf - V_reset) / (V_inf - V_thresh)))."""
    period = t_ref_ms + time_to_threshold_ms(I_nA, V_reset_mV, tau_m_ms, V_rest_mV, V_thresh_mV, R_m_MOhm)
    with np.errstate(divide="ignore"):
        rate = np.where(np.isfinite(period) & (period > 0), 1000.0 / period, 0.0)
    return rate if rate.ndim else float(rate)


def fi_curve(I_min_nA: float, I_max_nA: float, n: int, **neuron) -> tuple[np.ndarray, np.ndarray]:
    """(I grid, closed-form rate) with `neuron` the keyword arguments of lif_rate_hz."""
    I = np.linspace(I_min_nA, I_max_nA, n)
    return I, np.asarray(lif_rate_hz(I, **neuron), dtype=float)


def steps_to_threshold(I_nA, V0_mV, tau_m_ms: float, V_rest_mV: float, V_thresh_mV: float,
                       R_m_MOhm: float, dt_ms: float, method: str):
    """Updates a simulated cell needs from V0 to V >= V_thresh under constant I.

    Both integrators are geometric: V_k - V_inf = a^k (V0 - V_inf), a = exp(-dt/tau)
    (exact) or 1 - dt/tau (forward Euler), so k = ceil(ln q / ln a) with
    q = (V_inf - V_thresh) / (V_inf - V0). inf when never reached.
    """
    vi = v_inf(I_nA, V_rest_mV, R_m_MOhm)
    V0 = np.asarray(V0_mV, dtype=float)
    a = math.exp(-dt_ms / tau_m_ms) if method == "exact" else 1.0 - dt_ms / tau_m_ms
    with np.errstate(divide="ignore", invalid="ignore"):
        q = (vi - V_thresh_mV) / (vi - V0)
        if a <= 0.0:  # Euler with dt = tau jumps to V_inf in one update
            k = np.ones_like(q)
        else:
            k = np.ceil(np.log(q) / math.log(a))
    k = np.where(vi > V_thresh_mV, np.maximum(k, 1.0), np.inf)
    return k if k.ndim else float(k)


def grid_rate_hz(I_nA, tau_m_ms: float, V_rest_mV: float, V_thresh_mV: float, V_reset_mV: float,
                 R_m_MOhm: float, t_ref_ms: float, dt_ms: float, method: str):
    """Steady rate the simulation itself produces (noise-free) on its dt grid:
    1000 / ((round(t_ref/dt) + steps from reset to threshold) * dt). Shows Euler's error
    and the grid's quantisation beside the continuous closed form."""
    k = steps_to_threshold(I_nA, V_reset_mV, tau_m_ms, V_rest_mV, V_thresh_mV, R_m_MOhm, dt_ms, method)
    period = (round(t_ref_ms / dt_ms) + np.asarray(k)) * dt_ms
    with np.errstate(divide="ignore"):
        rate = np.where(np.isfinite(period), 1000.0 / period, 0.0)
    return rate if rate.ndim else float(rate)
