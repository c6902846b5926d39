"""The measured values as both front ends print them: the CLI's `hebblab exercise` and the
TUI's exercise screen show the same names (units are their suffixes) and the same numbers."""

from __future__ import annotations


def measured_rows(verdict) -> list[tuple[str, str]]:
    """(metric name, formatted value) for every value the options and `show` read, in order."""
    from hebblab.format import fmt_value

    return [(name, fmt_value(value)) for name, value in verdict.measured.items()]
