"""One value formatter (hebblab/format.py) with one glyph for a missing value, used by every
place that shows a value: the TUI's readouts and info screen, the run summary, sweep tables,
heat-map cells."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

from hebblab.format import MISSING, fmt_value, with_unit

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("value, text", [
    (None, MISSING), (math.nan, MISSING), (np.float64("nan"), MISSING),
    (math.inf, "∞"), (-math.inf, "-∞"),
    (True, "yes"), (False, "no"), (np.bool_(True), "yes"),
    (3, "3"), (np.int64(7), "7"), (12.0, "12"), (123456.0, "123456"), (-0.0, "0"),
    (18.97512345, "18.9751"), (1.5e-7, "1.5e-07"), (2.5e12, "2.5e+12"),
    ("euler", "euler"),
    ([1.0, math.nan], f"[1, {MISSING}]"), ([[1.0, 2.0], [3.0, None]], f"[[1, 2], [3, {MISSING}]]"),
])
def test_fmt_value(value, text):
    assert fmt_value(value) == text


def test_digits_and_units():
    assert fmt_value(18.97512345, digits=4) == "18.98"
    assert fmt_value(0.123456, digits=3) == "0.123"
    assert with_unit("18.98", "Hz") == "18.98 Hz" and with_unit(MISSING, "Hz") == MISSING and with_unit("3", "") == "3"
    long = fmt_value(list(range(20)))
    assert long.startswith("[0, 1, 2") and long.endswith("(20 values)")


def test_no_other_missing_value_glyph_in_the_source():
    """The five formatters that showed a missing value as "n/a", "-" or "—" are one."""
    found = []
    for folder in ("sim", "cli", "tui", "hebblab"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.name == "format.py":
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if re.search(r"""return\s+["'](n/a|-|—|NA|nan)["']""", line) or '"n/a"' in line or '"—"' in line:
                    found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert found == []


def test_run_summary_shows_a_missing_readout_with_the_one_glyph(capsys):
    from hebblab.cli.main import main

    assert main(["run", "lif", "--duration", "5", "--no-plot"]) == 0  # too short for an ISI
    out = capsys.readouterr().out
    line = next(l for l in out.splitlines() if l.strip().startswith("isi_rate_hz"))
    assert line.split()[-1] == MISSING
