"""Modal pickers of a comparison: a pair to open (B) and the side to keep when it ends (b)."""

from __future__ import annotations

from hebblab.sim.compare import pair_text, pairs_of
from hebblab.sim.labs.base import Lab
from hebblab.tui.screens.pickers import Picker


def pair_options(labs: list[type[Lab]]) -> list[tuple[str, str]]:
    """(id, description) per pair of the labs: "pair" for one lab, "lab pair" for several;
    the chapter's exercises (ex1, ex2, ...) first. The description is what A and B set and
    the preset on one line, then what to look for (`pair_text`)."""
    many = len(labs) > 1
    options = []
    for cls in labs:
        for p in pairs_of(cls):
            text = pair_text(cls, p)  # the same pieces as `hebblab pairs`
            key = f"{cls.name} {p.name}" if many else p.name
            options.append((key, f"{text.settings}\n{text.paragraph}"))
    return sorted(options, key=lambda o: not o[0].split()[-1].startswith("ex"))  # stable: the lab's order


class PairPicker(Picker):
    def __init__(self, labs: list[type[Lab]], current: str | None = None):
        names = ", ".join(cls.name for cls in labs)
        super().__init__(f"Compare: a pair of {names}", pair_options(labs), current)


class SidePicker(Picker):
    """Which side to keep when a comparison ends: "A" or "B"."""

    def __init__(self, differing: dict[str, tuple[str, str]]):
        def side(k: int) -> str:
            if not differing:
                return "A and B have the same parameters"
            return ", ".join(f"{name}={values[k]}" for name, values in differing.items())

        super().__init__("End the comparison: keep which run?",
                         [("A", side(0)), ("B", side(1))], current="A")
