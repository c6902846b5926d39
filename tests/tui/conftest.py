"""Fixtures for the TUI tests: apps built with autoplay off, so frames advance only on `n`."""

from __future__ import annotations

import pytest

from tests.tui.toylab import ToyLab
from hebblab.tui.app import HebblabApp


@pytest.fixture
def make_app(tmp_path):
    def make(lab=ToyLab, **kwargs):
        kwargs.setdefault("autoplay", False)
        kwargs.setdefault("export_dir", tmp_path / "out")
        return HebblabApp(lab, **kwargs)

    return make


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """Run `async def` tests in this folder with asyncio.run (no async plugin needed)."""
    import asyncio
    import inspect

    if inspect.iscoroutinefunction(pyfuncitem.obj):
        names = pyfuncitem._fixtureinfo.argnames
        asyncio.run(pyfuncitem.obj(**{n: pyfuncitem.funcargs[n] for n in names}))
        return True
    return None
