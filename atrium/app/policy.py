"""Managed policy: settings an organisation fixes for its machines (read-only for the user).

Sources, by platform (keys are the setting names of ``settings.SETTINGS`` everywhere):
- Windows: registry ``HKLM`` then ``HKCU`` ``Software\\Policies\\Atrium\\Atrium`` (see policy_windows.py);
- macOS: managed preferences ``com.atrium.desktop`` (see policy_macos.py);
- Linux and others: ``/etc/atrium/policy.json``, or the file named by ``ATRIUM_POLICY_FILE``.

A broken or partly invalid policy never stops the app: each bad or unknown key is reported in
``Policy.problems`` (naming the key and why) and the good keys still apply.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .settings import SETTINGS, Setting

POLICY_FILE = Path("/etc/atrium/policy.json")
POLICY_FILE_ENV = "ATRIUM_POLICY_FILE"


@dataclass
class Policy:
    """Validated policy values, where each came from, and what was wrong with the rest."""

    values: dict[str, Any] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def is_comment_key(name: str) -> bool:
    """Keys like "_comment" or "$schema" annotate a policy file; they are not settings."""
    return name.startswith(("_", "$"))


def policy_from_values(
    raw: Mapping[Any, Any],
    origin: str,
    convert: Callable[[Setting, Any], Any] | None = None,
) -> Policy:
    """Validate RAW (setting name -> value) from ORIGIN. CONVERT maps a source's value to the declared
    type first (the registry's types); by default values must already have the right type."""
    policy = Policy()
    by_folded_name = {name.casefold(): s for name, s in SETTINGS.items()}
    for key, value in raw.items():
        if not isinstance(key, str):
            policy.problems.append(f"{origin}: key {key!r} is not a setting name; ignored.")
            continue
        if is_comment_key(key):
            continue
        declared = by_folded_name.get(key.casefold())
        if declared is None:
            policy.problems.append(f"{origin}: unknown key '{key}' ignored.")
            continue
        if declared.name in policy.values:
            policy.problems.append(f"{origin}: '{key}' is given twice; the first one applies.")
            continue
        try:
            checked = convert(declared, value) if convert else declared.validate(value)
        except ValueError as error:
            policy.problems.append(f"{origin}: {error}; this key is ignored.")
            continue
        policy.values[declared.name] = checked
        policy.origins[declared.name] = origin
    return policy


def layered(*policies: Policy) -> Policy:
    """One policy from several sources; for each key the first source that sets it wins."""
    result = Policy()
    for policy in policies:
        result.problems.extend(policy.problems)
        for name, value in policy.values.items():
            if name not in result.values:
                result.values[name] = value
                result.origins[name] = policy.origins.get(name, "managed policy")
    return result


def read_json_policy(path: Path) -> Policy:
    """The policy in a JSON file holding one object; a missing file is no policy and no problem."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Policy()
    except OSError as error:
        return Policy(problems=[f"{path} could not be read ({error}); no managed policy applied."])
    try:
        content = json.loads(raw.decode("utf-8-sig"))
    except ValueError as error:
        return Policy(problems=[f"{path} is not valid JSON ({error}); no managed policy applied."])
    if not isinstance(content, dict):
        return Policy(problems=[f"{path} must hold a JSON object of settings; no managed policy applied."])
    return policy_from_values(content, str(path))


def read_policy(
    platform: str | None = None,
    *,
    path: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Policy:
    """This machine's managed policy. PATH (any platform) reads that JSON file instead.

    ``ATRIUM_POLICY_FILE`` is honoured on Linux and other Unix systems only: on Windows and macOS
    policy comes from sources the user cannot redirect (the registry's Policies key, MDM profiles).
    On Linux the file is as strong as the user's inability to change their environment.
    """
    platform = sys.platform if platform is None else platform
    environ = os.environ if environ is None else environ
    if path is not None:
        return read_json_policy(path)
    try:
        if platform == "win32":
            from .policy_windows import read_windows_policy

            return read_windows_policy()
        if platform == "darwin":
            from .policy_macos import read_macos_policy

            return read_macos_policy()
    except Exception as error:  # an OS API failing must not stop the app; say so instead
        return Policy(problems=[f"managed policy could not be read ({error!r}); none applied."])
    override = environ.get(POLICY_FILE_ENV, "").strip()
    return read_json_policy(Path(override) if override else POLICY_FILE)
