"""How many bytes the app writes to its terminal, against a budget.

Over SSH or through `hebblab serve` every redraw crosses the network. The app counts what
its driver writes; the lab screen asks for fewer views (a lower redraw rate; the sim's
speed in biological time is unchanged) while the rate is over the budget, and more again
once well under it.
"""

from __future__ import annotations

import os
import time

DEFAULT_BUDGET_KIB_S = 96.0  # the goal is < 100 KiB/s at 120x40 with the chapter view running
LOW_BUDGET_KIB_S = 24.0  # --low-bandwidth
LOW_FPS = 5.0  # --low-bandwidth
SSH_FPS = 10.0  # the default frame rate in an SSH session (no --fps, none in the preferences)


def in_ssh_session(environ=os.environ) -> bool:
    return bool(environ.get("SSH_CONNECTION") or environ.get("SSH_TTY") or environ.get("SSH_CLIENT"))


class Meter:
    """Bytes written, and their rate since the rate was last asked."""

    def __init__(self, budget_kib_s: float | None = DEFAULT_BUDGET_KIB_S, clock=time.monotonic):
        self.budget = None if not budget_kib_s else budget_kib_s * 1024.0
        self.clock = clock
        self.total = 0
        self._since, self._mark = clock(), 0

    def add(self, n: int) -> None:
        self.total += n

    def add_text(self, data: str) -> None:
        self.total += len(data) if data.isascii() else len(data.encode("utf-8", "replace"))

    def rate(self) -> float:
        """Bytes per second since the previous call."""
        now = self.clock()
        elapsed = max(1e-6, now - self._since)
        rate = (self.total - self._mark) / elapsed
        self._since, self._mark = now, self.total
        return rate

    def ratio(self) -> float:
        """rate() / budget (0 without a budget)."""
        return self.rate() / self.budget if self.budget else 0.0

    def wrap(self, write):
        """`write` (a driver's), counting the bytes of what goes through it."""
        def counted(data: str) -> None:
            self.add_text(data)
            write(data)

        return counted
