"""A gentler pace for Python's cyclic garbage collector while the app runs.

At the default thresholds (700, 10, 10) a comparison's frame set off a young collection
three or four times, and every 25 frames or so a full one that walked the whole heap:
61 ms (median) inside one frame, 4 ms a frame on average (ei inhibition pair, 120x40, 80
frames). Most of what a frame allocates is freed at once by reference counting; the
collector only matters for cycles, which a running app makes slowly. With the young
threshold at 10000, collections cost 1.2 ms a frame and no full one ran in 80 frames.
Textual itself pauses the collector during smooth scrolling (App.PAUSE_GC_ON_SCROLL).
The thresholds are put back when the app stops (tests run many apps in one process).
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 10_000  # net allocations between young collections (Python's default: 700)


class GcPace:
    def __init__(self) -> None:
        self._saved: tuple[int, ...] | None = None

    def start(self) -> None:
        if self._saved is None:
            self._saved = gc.get_threshold()
            gc.set_threshold(max(YOUNG_THRESHOLD, self._saved[0]), *self._saved[1:])

    def stop(self) -> None:
        if self._saved is not None:
            gc.set_threshold(*self._saved)
            self._saved = None
