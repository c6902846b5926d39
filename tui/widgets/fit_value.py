"""A parameter's value in a column too narrow for it, without showing a wrong number.

Cutting "1.23457e-05" to six cells would show "1.2345", off by 10^5. A number is instead
written again with fewer significant digits, in plain or exponent form (whichever keeps
more of them; "e-05" written "e-5"); only when one digit does not fit is it cut to "…".
Words (a choice, "on") end in "…" where they are cut.
"""

from __future__ import annotations

import math

ELLIPSIS = "…"


def _compact(text: str) -> str:
    """'1.2e-05' -> '1.2e-5', '3e+06' -> '3e6'."""
    mantissa, e, exponent = text.partition("e")
    if not e:
        return text
    sign = "-" if exponent.startswith("-") else ""
    return f"{mantissa}e{sign}{exponent.lstrip('+-').lstrip('0') or '0'}"


def fit_text(text: str, width: int) -> str:
    """`text` in at most `width` cells (width >= 1), ending in "…" where it is cut."""
    return text if len(text) <= width else text[: width - 1] + ELLIPSIS


def fit_value(text: str, width: int) -> str:
    """`text` in at most `width` cells (width >= 1), saying the same value."""
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
