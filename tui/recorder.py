"""Record what the app draws as an asciicast v2 file (the format `hebblab record` writes).

The app hands every chunk its driver writes to the terminal (or to the browser, under
`hebblab serve`) to `ScreenRecorder.add`. A recording starts with a full paint of the
screen, so it plays on its own; it stops on the key again, or by itself after MAX_SECONDS.
"""

from __future__ import annotations

import time

from hebblab.asciicast import Recording

MAX_SECONDS = 600.0  # ten minutes at most (memory: about 70 KiB a second at 120x40)
CLEAR = "\x1b[H\x1b[2J"  # home and clear: playback starts on a blank terminal


class ScreenRecorder:
    def __init__(self, width: int, height: int, title: str, first_frame: str, clock=time.monotonic):
        self.clock = clock
        self.recording = Recording(width, height, title=title, origin=clock())
        self.recording.events.append((0.0, CLEAR + first_frame))

    @property
    def seconds(self) -> float:
        return self.clock() - self.recording.origin

    @property
    def full(self) -> bool:
        return self.seconds >= MAX_SECONDS

    def add(self, data: str) -> None:
        if data:
            self.recording.events.append((self.seconds, data))

    def dumps(self) -> str:
        return self.recording.dumps()
