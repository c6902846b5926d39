"""`hebblab run --plot` piped to a file (no colour): every series of a chart has a legend
glyph of its own, and that glyph is on the plot, even where the series overlap (bcm with
five patterns: four responses settle on the same low level)."""

from __future__ import annotations

import re

from hebblab.cli.main import main


def _chart(text: str, title: str) -> list[str]:
    lines = text.splitlines()
    start = next(i for i, l in enumerate(lines) if title in l)
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start:end]


def test_five_bcm_responses_have_five_glyphs_on_the_plot(capsys):
    code = main(["run", "bcm", "--set", "n_patterns=5", "--set", "n_inputs=5", "--duration", "3000", "--plot"])
    assert code == 0
    out = capsys.readouterr().out
    assert "\x1b[" not in out  # piped: no colour
    chart = _chart(out, "Response to each pattern")
    samples = {}
    for line in chart:
        for sample, name in re.findall(r"(\S) (pattern \d|K\*y0)", line):
            samples[name] = sample
    assert sorted(samples) == ["K*y0"] + [f"pattern {k}" for k in range(5)], chart
    assert len(set(samples.values())) == 6, samples  # six series, six looks
    plot = "\n".join(line.split("┤", 1)[-1].split("│", 1)[-1] for line in chart[1:-2])
    legend_free = re.sub(r"\S (pattern \d|K\*y0)", "", plot)
    for name in ("pattern 1", "pattern 2", "pattern 3", "pattern 4"):
        assert samples[name] in legend_free, (name, "\n".join(chart))
