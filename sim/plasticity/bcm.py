"""BCM rule with a sliding threshold (docs/science.md, bcm).

  dw/dt = eta * x * y * (y - theta)          (potentiation when y > theta)
  tau_theta * dtheta/dt = -theta + y^2 / y0  (theta tracks <y^2>/y0)

`pre` is the input rate vector x (n_pre,), `post` the output rates y (n_post,);
one theta per post cell, integrated with forward Euler over dt_ms. The weights are
updated with the threshold from before this step, then the threshold moves.
Stability of the selective state needs theta faster than the weights: linearising
the averaged dynamics around it gives stability iff eta * y0 * tau_theta < 1
(beyond that the response and theta oscillate with growing amplitude).
"""

from __future__ import annotations

import numpy as np

from hebblab.sim.plasticity.base import PlasticityRule


class BCMRule(PlasticityRule):
    def __init__(self, eta: float, tau_theta_ms: float, y0: float, theta0: float = 0.0):
        self.eta = float(eta)
        self.tau_theta_ms = float(tau_theta_ms)
        self.y0 = float(y0)
        self.theta0 = float(theta0)
        self.theta = np.zeros(0)

    def reset(self, n_pre: int, n_post: int) -> None:
        self.theta = np.full(n_post, self.theta0)

    def update(self, w: np.ndarray, pre: np.ndarray, post: np.ndarray, dt_ms: float) -> None:
        w += (self.eta * dt_ms) * np.outer(pre, post * (post - self.theta))
        self.theta += (dt_ms / self.tau_theta_ms) * (post**2 / self.y0 - self.theta)

    def run_patterns(self, w: np.ndarray, patterns: np.ndarray, which: np.ndarray, dt_ms: float,
                     plastic: bool, clip: tuple[float | None, float | None], limit: float):
        """Fast loop for one rectified-linear post cell shown one pattern per step.

        Each step: y = max(0, w.p), w += eta*dt*p*y*(y - theta) (if plastic), clip to `clip`,
        theta += dt/tau*(y^2/y0 - theta): the same equations as `update`, with scalar
        arithmetic for the single post cell. Stops early once a response exceeds `limit`
        or theta is not finite. Returns (steps done, responses (done, K), theta per step).
        """
        n, K = which.size, patterns.shape[0]
        col = w[:, 0]  # a view: updates land in w
        resp = np.maximum(patterns @ col, 0.0)
        resp_rows = np.empty((n, K))
        theta_rows = np.empty(n)
        theta = float(self.theta[0])
        rate, decay = self.eta * dt_ms, dt_ms / self.tau_theta_ms
        lo, hi = clip
        for i in range(n):
            k = which[i]
            y = float(resp[k])
            if plastic:
                c = rate * y * (y - theta)
                if c != 0.0:
                    col += c * patterns[k]
                    if lo is not None or hi is not None:
                        np.clip(col, lo, hi, out=col)
                    resp = np.maximum(patterns @ col, 0.0)
            theta += decay * (y * y / self.y0 - theta)
            resp_rows[i] = resp
            theta_rows[i] = theta
            if not (resp.max() <= limit and np.isfinite(theta)):
                self.theta[0] = theta
                return i + 1, resp_rows[: i + 1], theta_rows[: i + 1]
        self.theta[0] = theta
        return n, resp_rows, theta_rows
