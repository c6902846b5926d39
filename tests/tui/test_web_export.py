"""In the browser (`hebblab serve`), `e` also sends the exported run as a zip download."""

from __future__ import annotations

import io
import json
import zipfile

from hebblab.tui.app import HebblabApp


async def test_export_in_browser_delivers_a_zip_of_the_run(tmp_path, monkeypatch):
    sent = []

    def deliver_binary(self, file, **kwargs):
        sent.append((file.read(), kwargs))
        return "key"

    monkeypatch.setattr(HebblabApp, "is_web", property(lambda self: True))
    monkeypatch.setattr(HebblabApp, "deliver_binary", deliver_binary)
    app = HebblabApp("lif", autoplay=False, export_dir=tmp_path / "out")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n", "n", "e")
        await pilot.pause(0.2)
    assert len(sent) == 1
    data, kwargs = sent[0]
    assert kwargs["save_filename"].startswith("hebblab-lif-") and kwargs["save_filename"].endswith(".zip")
    assert kwargs["mime_type"] == "application/zip"
    (run_dir,) = (tmp_path / "out").iterdir()
    on_disk = {str(p.relative_to(tmp_path / "out")) for p in run_dir.rglob("*") if p.is_file()}
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert set(archive.namelist()) == on_disk and "experiment.toml" in {n.split("/")[-1] for n in on_disk}
    name = next(n for n in archive.namelist() if n.endswith("metrics.json"))
    assert json.loads(archive.read(name)) == json.loads((tmp_path / "out" / name).read_text())


async def test_export_in_a_terminal_sends_nothing(tmp_path, monkeypatch):
    sent = []
    monkeypatch.setattr(HebblabApp, "deliver_binary", lambda self, *a, **k: sent.append(a))
    app = HebblabApp("lif", autoplay=False, export_dir=tmp_path / "out")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n", "e")
        await pilot.pause(0.2)
    assert sent == [] and len(list((tmp_path / "out").iterdir())) == 1
