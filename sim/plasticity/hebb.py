"""Classical Hebb, exactly as the chapter: dw = eta * outer(pre, post).

`pre` (n_pre,) and `post` (n_post,) are 0/1 spike indicators for one time bin (or
rates, for the rate-based variant used by the Oja lab). The rule only adds (for
non-negative activity), so without bounds growth never stops; bounds and Dale's law
come from `WeightConstraints`, applied by the lab after the update.

The update is written as `w += eta * np.outer(pre, post)`, the listing's expression,
so a lab using it reproduces the listing bit for bit (same float operations).
"""

from __future__ import annotations

import numpy as np

from hebblab.sim.plasticity.base import PlasticityRule


class HebbRule(PlasticityRule):
    """dw_ij = eta * pre_i * post_j per time step (no dt scaling: one step = one bin)."""

    def __init__(self, eta: float):
        self.eta = float(eta)

    def update(self, w: np.ndarray, pre: np.ndarray, post: np.ndarray, dt_ms: float = 1.0) -> None:
        w += self.eta * np.outer(pre, post)
