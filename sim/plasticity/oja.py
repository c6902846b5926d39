"""Oja's rule for rate neurons: y = w.x, dw = eta * y * (x - y * w).

`pre` is the input vector x (n_pre,), `post` the outputs y = x @ w (n_post,), both real
valued; the lab computes y. Per output j: dw_ij = eta * y_j * (x_i - y_j * w_ij). The
decay term -eta*y^2*w keeps |w| near 1: for zero-mean inputs with covariance C, w
converges to +/- the principal eigenvector of C with |w| = 1 (docs/science.md, oja).
Plain Hebb for comparison is `HebbRule` (dw = eta*outer(x, y)) on the same y: it grows
without bound along the same axis.
"""

from __future__ import annotations

import numpy as np

from hebblab.sim.plasticity.base import PlasticityRule


class OjaRule(PlasticityRule):
    def __init__(self, eta: float):
        self.eta = float(eta)

    def update(self, w: np.ndarray, pre: np.ndarray, post: np.ndarray, dt_ms: float = 1.0) -> None:
        w += self.eta * post[None, :] * (pre[:, None] - post[None, :] * w)
