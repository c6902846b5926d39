"""The one way both front ends show a value: readouts, run summaries, sweep tables, heat-map cells.

A missing value (None, NaN: "nothing measured yet") is always MISSING, never "n/a" or "-";
infinities are "∞" / "-∞"; yes/no for booleans; whole numbers without a decimal point.

Where a column is too narrow: `fit_value` writes a number again with fewer significant
digits, never cut into another number ("1.23457e-05" cut to six cells would read "1.2345",
off by 10^5); `fit_text` cuts words with an ellipsis.
"""

from __future__ import annotations

import math

MISSING = "—"
ELLIPSIS = "…"


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


def _compact(text: str) -> str:
    """'1.2e-05' -> '1.2e-5', '3e+06' -> '3e6'."""
    mantissa, e, exponent = text.partition("e")
    if not e:
        return text
    sign = "-" if exponent.startswith("-") else ""
    return f"{mantissa}e{sign}{exponent.lstrip('+-').lstrip('0') or '0'}"


def fit_text(text: str, width: int) -> str:
    """`text` in at most `width` cells, ending in "…" where it is cut."""
    return text if len(text) <= width else text[: max(0, width - 1)] + ELLIPSIS[: max(0, width)]


def fit_value(text: str, width: int) -> str:
    """`text` in at most `width` cells (width >= 1), saying the same value; a number in plain or
    exponent form, whichever keeps more significant digits ("e-05" written "e-5"), "…" when
    one digit does not fit."""
    if len(text) <= width:
        return text
    try:
        x = float(text)
    except ValueError:
        return fit_text(text, width)
    if math.isfinite(x):
        for digits in range(6, 0, -1):
            for form in ("g", "e"):
                shorter = _compact(f"{x:.{digits if form == 'g' else digits - 1}{form}}")
                if len(shorter) <= width:
                    return shorter
    return ELLIPSIS if math.isfinite(x) else fit_text(text, width)
