"""The one way both front ends show a value: readouts, run summaries, sweep tables, heat-map cells.

A missing value (None, NaN: "nothing measured yet") is always MISSING, never "n/a" or "-";
infinities are "∞" / "-∞"; yes/no for booleans; whole numbers without a decimal point.
"""

from __future__ import annotations

import math

MISSING = "—"


def fmt_value(value, digits: int = 6) -> str:
    """`value` in at most `digits` significant digits (lists element-wise, long ones cut)."""
    if value is None:
        return MISSING
    if isinstance(value, bool) or getattr(getattr(value, "dtype", None), "kind", "") == "b":
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        flat = _flatten(value)
        if len(flat) <= 12:
            return "[" + ", ".join(fmt_value(v, digits) for v in value) + "]"
        return "[" + ", ".join(fmt_value(v, digits) for v in flat[:8]) + f", ...] ({len(flat)} values)"
    if isinstance(value, str):
        return value
    try:
        f = float(value)  # numpy scalars too
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(f):
        return MISSING
    if math.isinf(f):
        return "∞" if f > 0 else "-∞"
    if f == int(f) and abs(f) < 10 ** max(digits, 9):
        return str(int(f))  # a count stays a count: 123456, not 1.235e+05
    return f"{f:.{digits}g}"


def with_unit(text: str, unit: str) -> str:
    """"12.5 mV"; a missing value gets no unit."""
    return f"{text} {unit}" if unit and text != MISSING else text


def _flatten(value) -> list:
    out = []
    for v in value:
        out.extend(_flatten(v) if isinstance(v, (list, tuple)) else [v])
    return out
