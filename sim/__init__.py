"""hebblab's simulation layer: pure numpy, no textual/rich/plotext (a test checks)."""

__version__ = "0.1.0"
