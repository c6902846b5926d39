"""Errors the CLI turns into one line on stderr and exit status 2 (no traceback).

Raise `UsageError` for bad command-line or config input that is not a lab parameter
(bad --duration, unreadable config file, output directory in the way...). Lab
parameters raise `hebblab.sim.params.ParamError`. Both print as `hebblab: error: <message>`.
Stop signals (ctrl+c, TERM, HUP) are `hebblab.interrupts.Interrupted`: exit 128 + N.
"""

from __future__ import annotations


class UsageError(Exception):
    """Bad user input outside the lab's parameters. `str(err)` is one line for users."""
