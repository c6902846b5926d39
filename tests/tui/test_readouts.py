"""Readouts: "name: value unit" pieces, never split across lines, in each lab's declared
order (most important first); in the chapter view both labs' first readouts are visible."""

from __future__ import annotations

import re

import pytest
from rich.text import Text

from hebblab.tui.app import HebblabApp
from hebblab.tui.widgets.status import ReadoutsLine, pack_readouts


def pieces(*names: str) -> list[Text]:
    return [Text(f"{n}: 1.5 Hz") for n in names]


def test_pack_keeps_pieces_whole_and_in_order():
    names = [f"readout_{k}" for k in range(12)]
    lines = pack_readouts([("", pieces(*names))], width=60, lines=2)
    assert len(lines) == 2 and all(line.cell_len <= 60 for line in lines)
    text = " ".join(line.plain for line in lines)
    shown = re.findall(r"(readout_\d+): 1\.5 Hz", text)
    assert shown == names[: len(shown)] and len(shown) >= 4  # a prefix of the declared order
    assert f"+{len(names) - len(shown)} (i)" in text  # what did not fit is counted


def test_pack_gives_each_lab_its_own_lines_or_a_share_of_one():
    labs = [("lif", pieces("isi_rate_hz", "theory_rate_hz", "grid_rate_hz")),
            ("hebb", pieces("weight_norm", "weight_mean"))]
    two = pack_readouts(labs, width=80, lines=2)
    assert two[0].plain.startswith("lif: isi_rate_hz: 1.5 Hz  theory_rate_hz: 1.5 Hz")
    assert two[1].plain.startswith("hebb: weight_norm: 1.5 Hz")
    one = pack_readouts(labs, width=80, lines=1)
    assert len(one) == 1 and one[0].cell_len <= 80
    assert "lif: isi_rate_hz: 1.5 Hz" in one[0].plain and "hebb: weight_norm: 1.5 Hz" in one[0].plain


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_chapter_shows_both_labs_key_readouts(size):
    app = HebblabApp("chapter", seed=1, autoplay=False)
    async with app.run_test(size=size) as pilot:
        for _ in range(40):
            await pilot.press("n")
        await pilot.pause()
        widget = app.screen.query_one(ReadoutsLine)
        lines = [widget.render_line(y).text for y in range(widget.size.height)]
        text = "\n".join(lines)
        lif, hebb = app.screen.runners
        # lif's comparison first: the ISI rate beside the closed-form rate, with values
        theory = lif.lab.readouts()["theory_rate_hz"]
        assert re.search(r"lif: isi_rate_hz: \S+( Hz)?  theory_rate_hz: " + re.escape(f"{theory:.4g}") + " Hz",
                         text), text
        first = hebb.lab.readout_specs[0].name
        assert re.search(rf"hebb: {first}: -?\d", text), text
