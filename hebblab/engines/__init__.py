"""hebblab beyond one machine: the same experiment in other engines.

    export.py      `hebblab export LAB --to brian2|nest`: one standalone script per run
    templates/     the scripts themselves (real Python: the NEST ones also run in this
                   process for `hebblab run/sweep --engine nest`)
    nest_run.py    `--engine nest`: a lab's run in NEST, in this process
    dask_sweep.py  `hebblab sweep --scheduler`: the points on a Dask cluster
    nwb.py         `hebblab run --nwb FILE`: the run as Neurodata Without Borders
    flags.py       the command-line flags the run and sweep commands borrow from here
    limits.py      the numpy engine's size limits, lifted for other engines
    files.py       one output file, written whole or not at all

Layers: hebblab.sim never imports this package; the CLI may; nothing here imports the
CLI, the TUI or textual. NEST, Brian2, Dask and pynwb are optional extras, imported only
where they are used; a missing one is one line naming the extra (UsageError).
"""

from __future__ import annotations

from hebblab.errors import UsageError

ENGINES = ("brian2", "nest")


def need(module: str, extra: str, option: str):
    """Import an optional dependency, or raise UsageError naming the extra that installs it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise UsageError(f"{option}: needs {module}, which is not installed here; "
                         f"install the {extra!r} extra: pip install 'hebblab[{extra}]'") from None
    except Exception as err:  # noqa: BLE001 - e.g. brian2 2.9 on numpy >= 2.4 (AttributeError)
        raise UsageError(f"{option}: {module} is installed but cannot be imported here "
                         f"({type(err).__name__}: {err}); see the {extra!r} extra") from None
