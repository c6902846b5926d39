"""The asciicast v2 format (what asciinema plays): a JSON header line
`{"version": 2, "width": W, "height": H, ...}`, then one `[seconds, "o", text]` line per
chunk of terminal output. Written by `hebblab record` (cli/cast.py runs the app in a
pseudo-terminal) and by the TUI's own recorder (ctrl+r, tui/recorder.py).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field


@dataclass
class Recording:
    width: int
    height: int
    title: str = ""
    events: list[tuple[float, str]] = field(default_factory=list)
    started: float = field(default_factory=time.time)
    origin: float = field(default_factory=time.monotonic)  # event times count from here

    def header(self) -> dict:
        return {"version": 2, "width": self.width, "height": self.height, "timestamp": int(self.started),
                "title": self.title, "env": {"TERM": "xterm-256color", "SHELL": "/bin/sh"}}

    def dumps(self) -> str:
        lines = [json.dumps(self.header())]
        lines += [json.dumps([round(t, 6), "o", text]) for t, text in self.events]
        return "\n".join(lines) + "\n"
