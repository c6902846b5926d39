"""User preferences kept between runs: the TUI's theme and its default frame rate.

A small TOML file in the platform's config directory (platformdirs; on Linux
$XDG_CONFIG_HOME/hebblab/config.toml, else ~/.config/hebblab/config.toml):

    theme = "textual-light"
    fps = 20

It is read when the TUI starts and written when the user picks another theme. A file that
cannot be read or makes no sense is never fatal: one warning line, and the defaults.
"""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

FILE_NAME = "config.toml"
MAX_BYTES = 64 * 1024  # a preferences file is a few lines; anything bigger is not one
FPS_RANGE = (1.0, 60.0)
HEADER = "# hebblab preferences: read at start, written when you change the theme (docs: README)\n"


@dataclass
class Prefs:
    theme: str | None = None  # None: Textual's default
    fps: float | None = None  # None: the built-in default


def config_dir() -> Path:
    try:
        from platformdirs import user_config_dir
    except ImportError:  # platformdirs missing: the XDG rule by hand
        base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
        return Path(base) / "hebblab"
    return Path(user_config_dir("hebblab", appauthor=False))


def config_path() -> Path:
    return config_dir() / FILE_NAME


def load(path: Path | None = None) -> tuple[Prefs, str | None]:
    """The preferences in `path` (default: config_path()), and a one-line warning when the
    file exists but could not be used in full (the values that could not are left at their
    defaults). A missing file is no warning."""
    path = config_path() if path is None else Path(path)
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except FileNotFoundError:
        return Prefs(), None
    except (OSError, ValueError) as err:  # a directory, no permission, a loop of links...
        return Prefs(), _warn(path, f"cannot be read ({getattr(err, 'strerror', None) or err})")
    if len(raw) > MAX_BYTES:
        return Prefs(), _warn(path, f"is larger than {MAX_BYTES // 1024} KiB, not a preferences file")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return Prefs(), _warn(path, "is not UTF-8 text")
    except tomllib.TOMLDecodeError as err:
        return Prefs(), _warn(path, f"is not valid TOML ({err})")
    except RecursionError:  # tomllib recurses per nested array: thousands of [ exhaust the stack
        return Prefs(), _warn(path, "is not valid TOML (nested too deeply)")
    except Exception as err:  # whatever else a parser may raise on hostile input: never fatal
        return Prefs(), _warn(path, f"is not valid TOML ({type(err).__name__})")
    prefs, problems = Prefs(), []
    theme = data.get("theme")
    if theme is not None:
        if isinstance(theme, str) and 0 < len(theme) <= 100 and theme.isprintable():
            prefs.theme = theme
        else:
            problems.append("theme must be a theme name such as \"textual-dark\"")
    fps = data.get("fps")
    if fps is not None:
        lo, hi = FPS_RANGE
        if isinstance(fps, (int, float)) and not isinstance(fps, bool) and math.isfinite(fps) and lo <= fps <= hi:
            prefs.fps = float(fps)
        else:
            problems.append(f"fps must be a number in {lo:g}..{hi:g}")
    unknown = sorted(set(data) - {"theme", "fps"})
    if unknown:
        problems.append("unknown key(s) " + ", ".join(repr(k)[:40] for k in unknown[:3]) + " ignored")
    return prefs, _warn(path, "; ".join(problems)) if problems else None


def save(prefs: Prefs, path: Path | None = None) -> None:
    """Write the preferences (raises OSError). Written to a temporary file first, so an
    interrupted write never leaves half a file."""
    import tomli_w

    path = config_path() if path is None else Path(path)
    data = {k: v for k, v in (("theme", prefs.theme), ("fps", prefs.fps)) if v is not None}
    if isinstance(data.get("fps"), float) and data["fps"].is_integer():
        data["fps"] = int(data["fps"])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(HEADER + tomli_w.dumps(data), encoding="utf-8")
    os.replace(tmp, path)


def _warn(path: Path, what: str) -> str:
    text = f"hebblab: warning: {path}: {what}; using the defaults"
    return " ".join(text.split())  # one line, whatever the parser's message held
