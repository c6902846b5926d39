"""Every chart says what its y axis is, with its unit, at every size (docs/vocabulary.md,
"Chart axes"): the rule on every lab's series specs, and the rendered text of every chart
of every lab at sizes like the panes of an 80x24 terminal."""

from __future__ import annotations

import re

import pytest

from hebblab.chart_render import render_series, title_row, unit_of
from hebblab.sim.labs import all_labs

LABS = all_labs()
PHYSICAL = {"mV", "nA", "Hz", "ms", "s", "min", "uM", "MOhm", "deg"}
DIMENSIONLESS = {"a.u.", "1", "count", "index"}  # the rule's four words for "no physical unit"
SPECS = [(lab, s) for lab, cls in LABS.items() for s in cls.series_specs]


def _id(case) -> str:
    return f"{case[0]}.{case[1].name}"


@pytest.mark.parametrize("case", SPECS, ids=[_id(c) for c in SPECS])
def test_every_y_label_is_a_quantity_with_its_unit(case):
    lab, spec = case
    if spec.kind == "matrix":  # a heat-map's rows are named one by one; its ylabel is not drawn
        return
    m = re.fullmatch(r"(\S(?:.*\S)?) \(([^()]+)\)", spec.ylabel)
    assert m, f"{lab}.{spec.name}: y label {spec.ylabel!r} is not 'quantity (unit)'"
    assert m.group(2) in PHYSICAL | DIMENSIONLESS, f"{lab}.{spec.name}: unknown unit {m.group(2)!r}"


def test_the_rule_rejects_a_bare_quantity():
    assert unit_of("V (mV)") == "mV" and unit_of("overlap m (1)") == "1"
    assert unit_of("w") == "" and unit_of("") == "" and unit_of("rate (Hz) now") == ""


def _lab_series():
    out = []
    for name, cls in LABS.items():
        lab = cls(seed=1)
        lab.step(max(1, int(round(200.0 / lab.dt_ms))))
        out += [(name, s) for s in lab.series().values() if s.kind != "matrix"]
    return out


SERIES = _lab_series()
# Chart panes of an 80x24 lab (two or three charts beside the parameters), down to tiny ones.
SIZES = [(52, 9), (40, 8), (30, 6), (24, 5), (16, 4)]


@pytest.mark.parametrize("width,height", SIZES)
def test_the_rendered_chart_shows_its_y_unit_at_small_sizes(width, height):
    missing = []
    for lab, s in SERIES:
        unit = unit_of(s.spec.ylabel)
        if unit == "1":  # a pure number: the title names it, there is no unit to lose
            continue
        for color in (True, False):
            text = "\n".join("".join(t for t, _ in row)
                             for row in render_series(s, width, height, color=color, notes=False).rows)
            if unit not in text:
                missing.append(f"{lab}.{s.name} ({'colour' if color else 'plain'}): {text.splitlines()[0]!r}")
    assert not missing, "\n".join(missing)


def test_a_short_title_row_moves_the_unit_into_the_title():
    def text(w, title="Membrane potential (cell 0)", ylabel="V (mV)"):
        return "".join(t for t, _ in title_row(title, w, ylabel))

    assert text(80).startswith("V (mV)") and "Membrane potential (cell 0)" in text(80)
    assert text(30).startswith("V (mV)  Membrane")  # not centred: both still fit
    assert text(16).strip().endswith("[mV]") and "Memb" in text(16)  # no room beside: in the title
    assert "[mV]" in text(8) and len(text(8)) == 8
    assert "[" not in text(20, "Alignment", "|cos| (1)")  # a pure number adds nothing


def test_a_chart_waiting_for_data_still_shows_its_unit():
    spec = LABS["lif"].series_spec("fI")
    for width in (60, 24):
        rows = render_series(None, width, 6, title=spec.title, ylabel=spec.ylabel).rows
        assert "Hz" in "".join(t for t, _ in rows[0])
