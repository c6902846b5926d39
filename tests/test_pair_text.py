"""One description of a comparison pair: `hebblab pairs LAB` and the TUI's pair picker (B)
show the same pieces, A's values, B's values, the preset and the paragraph, for every pair
of every lab, with values written as the parameter panel writes them."""

from __future__ import annotations

import pytest

from hebblab.cli.main import main
from hebblab.sim.compare import pair_text, pairs_of
from hebblab.sim.labs import all_labs, get_lab
from hebblab.sim.params import Pair
from hebblab.tui.screens.pair_picker import pair_options

LABS_WITH_PAIRS = [name for name, cls in all_labs().items() if pairs_of(cls)]


def _cli_blocks(capsys, lab: str) -> dict[str, tuple[list[str], str]]:
    """`hebblab pairs LAB` read back: pair name -> (its pieces, its paragraph unwrapped)."""
    assert main(["pairs", lab]) == 0
    out: dict[str, tuple[list[str], list[str]]] = {}
    name = None
    for line in capsys.readouterr().out.splitlines():
        if line.startswith("    "):
            out[name][1].append(line.strip())
        else:
            name, _, settings = line.partition("  ")
            out[name] = (settings.split(" | "), [])
    return {k: (pieces, " ".join(words)) for k, (pieces, words) in out.items()}


def _picker_blocks(labs: list[str]) -> dict[str, tuple[list[str], str]]:
    """The pair picker's options read back the same way (key -> pieces, paragraph)."""
    out = {}
    for key, description in pair_options([get_lab(n) for n in labs]):
        settings, paragraph = description.split("\n")
        out[key] = (settings.split(" | "), paragraph)
    return out


def test_there_are_labs_with_pairs():
    assert {"lif", "hebb"} <= set(LABS_WITH_PAIRS)


@pytest.mark.parametrize("lab", LABS_WITH_PAIRS)
def test_cli_and_picker_show_the_same_pieces(capsys, lab):
    cls = get_lab(lab)
    cli, picker = _cli_blocks(capsys, lab), _picker_blocks([lab])
    names = [p.name for p in pairs_of(cls)]
    assert list(cli) == names and set(picker) == set(names)
    for pair in pairs_of(cls):
        text = pair_text(cls, pair)
        assert cli[pair.name] == picker[pair.name] == (list(text.lines), text.paragraph)
        assert text.paragraph == " ".join(pair.description.split())
        assert [line.split(":")[0] for line in text.lines] == ["A", "B", "preset"]


def test_the_chapter_picker_shows_the_same_pieces_as_each_lab(capsys):
    picker = _picker_blocks(["lif", "hebb"])
    for lab in ("lif", "hebb"):
        for name, block in _cli_blocks(capsys, lab).items():
            assert picker[f"{lab} {name}"] == block


@pytest.mark.parametrize("lab,pair,lines", [
    ("lif", "ex1", ("A: tau_m_ms=20", "B: tau_m_ms=40", "preset: chapter")),  # 20.0 written as 20
    ("hebb", "ex2", ("A: w_inh=0", "B: w_inh=-0.3", "preset: ex2-inhibitory")),
    ("hebb", "ex3", ("A: post_model=threshold, threshold=0.3", "B: post_model=sigmoid, threshold=0",
                     "preset: ex3-sigmoid")),
    ("hebb", "dale", ("A: dale=off", "B: dale=on", "preset: ex2-inhibitory")),  # as the panel: on/off
    ("hopfield", "capacity", ("A: n_patterns=20", "B: n_patterns=80", "preset: low-load")),
])
def test_pieces_of_known_pairs(lab, pair, lines):
    cls = get_lab(lab)
    assert pair_text(cls, next(p for p in pairs_of(cls) if p.name == pair)).lines == lines


def test_an_empty_side_a_default_preset_and_an_old_name():
    cls = get_lab("lif")
    text = pair_text(cls, Pair("t", "  what\n   to see ", a={}, b={"tau_m": 30.0, "n_neurons": 2}))
    assert text.lines == ("A: the preset's values", "B: tau_m_ms=30, n_cells=2", f"preset: {cls.presets[0].name}")
    assert text.paragraph == "what to see"
    assert text.settings == f"A: the preset's values | B: tau_m_ms=30, n_cells=2 | preset: {cls.presets[0].name}"
