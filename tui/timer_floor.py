"""A floor under Textual 8.2.8's timer intervals (a fix to its Timer).

Timer._run skips ticks that are already late: with skip on (set_timer's default) and a
negative interval, every tick is late and its loop recomputes the count forever without
yielding, so the whole app freezes at full CPU. A toast computes its timeout from the
notification's time left, which is negative when the notification expires between the
toast rack's check and the toast's creation: the seeded monkey froze the app that way,
under load, while resizes pushed and popped the too-small screen (re-mounting toasts).
"""

from __future__ import annotations

from textual.timer import Timer

MIN_INTERVAL_S = 0.001  # fires after a millisecond instead of never returning


def install() -> None:
    """Clamp every new timer's interval to MIN_INTERVAL_S (idempotent)."""
    if hasattr(Timer.__init__, "__wrapped__"):  # installed already
        return
    original = Timer.__init__

    def __init__(self, event_target, interval, *args, **kwargs):
        original(self, event_target, max(MIN_INTERVAL_S, interval), *args, **kwargs)

    __init__.__wrapped__ = original  # the test undoes the floor with it
    Timer.__init__ = __init__
