"""hebblab's simulation layer: pure numpy, no textual/rich/plotext (a test checks)."""
