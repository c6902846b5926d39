"""The notes of a comparison: a note both sides give once ("A, B: ..."), the others
prefixed with their side."""

from __future__ import annotations

from dataclasses import dataclass, replace

from hebblab.tui.runner import LabView, Runner
from hebblab.tui.widgets.status import NotesLine


@dataclass
class _Side:  # what NotesLine reads of a runner
    name: str
    shown: LabView


class CompareNotes(NotesLine):
    def show(self, runners: list[Runner], hold: bool = False) -> None:
        a, b = runners[0].shown, runners[1].shown
        both = [n for n in a.notes if n in b.notes]
        sides = [_Side("A, B", replace(a, notes=both)),
                 _Side("A", replace(a, notes=[n for n in a.notes if n not in both])),
                 _Side("B", replace(b, notes=[n for n in b.notes if n not in both]))]
        super().show(sides, hold)  # empty sides add nothing; three keep every note prefixed
