"""Managed policy on macOS: the ``com.atrium.desktop`` managed preferences an MDM profile installs.

The user's managed preferences win over the computer-wide ones, as macOS itself applies them.
Values keep their plist types (<true/>, <integer>, <string>, <array> of <string>).
"""

from __future__ import annotations

import getpass
import plistlib
from collections.abc import Sequence
from pathlib import Path

from .policy import Policy, layered, policy_from_values

DOMAIN = "com.atrium.desktop"
MANAGED_PREFERENCES = Path("/Library/Managed Preferences")


def managed_plist_paths(user: str | None = None, root: Path = MANAGED_PREFERENCES) -> list[Path]:
    """The per-user file first, then the computer-wide one."""
    user = user or getpass.getuser()
    return [root / user / f"{DOMAIN}.plist", root / f"{DOMAIN}.plist"]


def read_plist_policy(path: Path) -> Policy:
    """The policy in one plist file; a missing file is no policy and no problem."""
    try:
        with path.open("rb") as handle:
            content = plistlib.load(handle)
    except FileNotFoundError:
        return Policy()
    except OSError as error:
        return Policy(problems=[f"{path} could not be read ({error}); it was not applied."])
    except Exception as error:  # plistlib raises InvalidFileException, ExpatError, ValueError...
        return Policy(problems=[f"{path} is not a valid property list ({error}); it was not applied."])
    if not isinstance(content, dict):
        return Policy(problems=[f"{path} must hold a dictionary of settings; it was not applied."])
    # A configuration profile's own Payload* keys may come along with the settings: not settings.
    settings = {k: v for k, v in content.items() if not (isinstance(k, str) and k.startswith("Payload"))}
    return policy_from_values(settings, str(path))


def read_macos_policy(paths: Sequence[Path] | None = None) -> Policy:
    return layered(*(read_plist_policy(path) for path in (paths or managed_plist_paths())))
