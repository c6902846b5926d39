"""Pack exported run directories into one zip, in memory, for a browser download."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path


def zip_dirs(dirs: list[Path]) -> io.BytesIO:
    """A zip holding each directory under its own name (its files, recursively)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for folder in dirs:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    archive.write(path, Path(folder.name) / path.relative_to(folder))
    buffer.seek(0)
    return buffer
