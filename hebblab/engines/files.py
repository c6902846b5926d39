"""Writing one output file for the engine commands: checked before the work starts,
written whole or not at all (a temporary file in the same directory, renamed into place)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hebblab.errors import UsageError
from hebblab.runfiles import check_link_target, check_path_text


def check_out_file(name: str, option: str) -> Path:
    """Fail early if `name` cannot become a file (before any simulation runs)."""
    if not str(name).strip():
        raise UsageError(f"{option}: expected a file name, got ''")
    check_path_text(name, option)  # else is_dir() raises OSError: File name too long
    path = Path(name)
    if path.is_symlink():  # written through to its target (as `> link` would), so it must have one
        check_link_target(path, option, "give a file name")
    if path.is_dir():
        raise UsageError(f"{option}: {path} is a directory; give a file name")
    parent = path.absolute().parent
    if not parent.is_dir():
        raise UsageError(f"{option}: {parent} is not an existing directory")
    try:  # os.access says yes to root even on read-only mounts: probe by creating a file
        fd, probe = tempfile.mkstemp(prefix=".hebblab-probe-", dir=parent)
        os.close(fd)
        os.remove(probe)
    except OSError as err:
        raise UsageError(f"{option}: cannot create a file in {parent}: {err.strerror or err}") from None
    return path


def write_atomic(name: str, write, option: str, executable: bool = False) -> None:
    """Call write(temp_path) and rename the result to `name` (a symbolic link's target, the
    link kept); UsageError on OSError."""
    path = Path(os.path.realpath(name))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.tmp-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, (0o777 if executable else 0o666) & ~umask)
        os.replace(tmp, path)
    except OSError as err:
        _remove(tmp)
        raise UsageError(f"{option}: cannot write {name}: {err.strerror or err}") from None
    except BaseException:
        _remove(tmp)
        raise


def write_text_file(name: str, text: str, option: str, executable: bool = False) -> None:
    write_atomic(name, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"), option, executable)


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass
