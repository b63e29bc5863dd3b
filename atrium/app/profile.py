"""Where a desktop profile lives (settings, cache, attachments, logs) on each operating system.

Precedence: an explicit folder (``--profile DIR``), then ``ATRIUM_PROFILE``, then the OS's
per-user data folder. Nothing here creates folders until ``Profile.ensure()`` is called.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROFILE_ENV = "ATRIUM_PROFILE"


def default_profile_dir(
    platform: str | None = None,
    environ: Mapping[str, str] | None = None,
    home: Path | None = None,
) -> Path:
    """The per-user data folder for Atrium on PLATFORM (a ``sys.platform`` value)."""
    platform = sys.platform if platform is None else platform
    environ = os.environ if environ is None else environ
    home = Path.home() if home is None else home
    if platform == "win32":
        local = environ.get("LOCALAPPDATA") or str(home / "AppData" / "Local")
        return Path(local) / "Atrium"
    if platform == "darwin":
        return home / "Library" / "Application Support" / "Atrium"
    xdg = environ.get("XDG_DATA_HOME", "")
    # The XDG spec says a relative value is invalid and must be ignored.
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else home / ".local" / "share"
    return base / "atrium"


@dataclass(frozen=True)
class Profile:
    """One person's local Atrium data on this machine."""

    root: Path

    @classmethod
    def locate(
        cls,
        explicit: str | os.PathLike[str] | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        platform: str | None = None,
        home: Path | None = None,
    ) -> Profile:
        """The profile named by ``--profile`` (EXPLICIT), else ``ATRIUM_PROFILE``, else the OS default."""
        environ = os.environ if environ is None else environ
        chosen = os.fspath(explicit) if explicit is not None else environ.get(PROFILE_ENV, "")
        if chosen.strip():
            return cls(Path(chosen.strip()).expanduser().absolute())
        return cls(default_profile_dir(platform, environ, home))

    @property
    def settings_file(self) -> Path:
        return self.root / "settings.json"

    @property
    def cache_db(self) -> Path:
        return self.root / "cache.db"

    @property
    def attachments_dir(self) -> Path:
        return self.root / "files"  # the cache keeps attachment bytes beside its database

    @property
    def log_dir(self) -> Path:
        return self.root / "logs"

    def ensure(self) -> Profile:
        """Create the profile folders (private to the user where the OS allows) and return self."""
        for folder in (self.root, self.attachments_dir, self.log_dir):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        return self
