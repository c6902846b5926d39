"""Brian2 for the cross-checks, or a skip of the whole module that says why."""

import pytest


def brian2_or_skip():
    """brian2, imported; skips the calling test module where it is missing or cannot be
    imported (brian2 2.9.0 fails on numpy >= 2.4, where ndarray.ptp is gone, with an
    AttributeError that pytest.importorskip would not catch)."""
    try:
        import brian2
    except Exception as err:  # ImportError, or AttributeError from an incompatible numpy
        pytest.skip(f"brian2 not usable here: {type(err).__name__}: {err}", allow_module_level=True)
    return brian2
