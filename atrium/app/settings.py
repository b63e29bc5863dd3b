"""Every desktop setting, declared once, and the layers that decide its value.

A value comes from managed policy (read-only, set by IT), else the user's choice in the
profile's ``settings.json``, else the declared default. Broken input never stops the app: it is
reported in ``Settings.problems`` and the good parts still apply.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from .profile import Profile

if TYPE_CHECKING:
    from .policy import Policy

Source = Literal["policy", "user", "default"]


class PolicyLockedError(Exception):
    """The setting is fixed by managed policy (or may only be set by policy)."""


class SettingsSaveError(OSError):
    """settings.json could not be written; the previous file is untouched."""


# --- declarations ---------------------------------------------------------------------------------


def describe(value: Any) -> str:
    """A short, JSON-flavoured description of VALUE for error messages."""
    kind = {
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "an object",
        type(None): "null",
    }.get(type(value), type(value).__name__)
    shown = json.dumps(value, ensure_ascii=False, default=repr) if value is not None else "null"
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"{kind} {shown}" if value is not None else "null"


@dataclass(frozen=True)
class Setting:
    """One setting: its type (str, bool, int or list of str), default, meaning and limits."""

    name: str
    type: type
    default: Any
    description: str
    choices: tuple[str, ...] | None = None
    minimum: int | None = None
    maximum: int | None = None
    policy_only: bool = False
    check: Callable[[Any], str | None] | None = None  # extra rule: an error message, or None if fine

    def validate(self, value: Any) -> Any:
        """VALUE as this setting's type, or ValueError naming the setting and what is wrong."""
        problem = self._problem(value)
        if problem:
            raise ValueError(f"{self.name}: {problem}")
        return list(value) if self.type is list else value

    def _problem(self, value: Any) -> str | None:
        if self.type is bool:
            return None if isinstance(value, bool) else f"expected true or false, got {describe(value)}"
        if self.type is int:
            if isinstance(value, bool) or not isinstance(value, int):
                return f"expected a whole number, got {describe(value)}"
            if self.minimum is not None and value < self.minimum:
                return f"must be at least {self.minimum}, got {value}"
            if self.maximum is not None and value > self.maximum:
                return f"must be at most {self.maximum}, got {value}"
        elif self.type is str:
            if not isinstance(value, str):
                return f"expected text, got {describe(value)}"
            if self.choices is not None and value not in self.choices:
                return f"must be one of {', '.join(self.choices)}; got {describe(value)}"
        elif self.type is list and (
            not isinstance(value, list | tuple) or not all(isinstance(v, str) and v for v in value)
        ):
            return f"expected a list of non-empty texts, got {describe(value)}"
        return self.check(value) if self.check else None

    def parse_text(self, text: str) -> Any:
        """A value from text (registry strings, command lines), validated."""
        raw = text.strip()
        value: Any = raw
        if self.type is bool:
            lowered = raw.lower()
            if lowered in ("1", "true", "yes", "on"):
                value = True
            elif lowered in ("0", "false", "no", "off"):
                value = False
        elif self.type is int:
            with contextlib.suppress(ValueError):
                value = int(raw)
        elif self.type is list:
            value = [part.strip() for part in raw.replace(",", ";").split(";") if part.strip()]
        return self.validate(value)


def check_server_url(value: str) -> str | None:
    """Empty (not configured yet), a host name, or an http(s) URL without credentials."""
    text = value.strip()
    if not text:
        return None
    if any(char.isspace() for char in text):
        return "a server address cannot contain spaces"
    parts = urlsplit(text if "://" in text else "https://" + text)
    if parts.scheme not in ("http", "https"):
        return f"use an https:// (or http://) address, not {parts.scheme}://"
    try:
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return "the port must be a number from 1 to 65535"
    if not parts.hostname:
        return "the address has no host name"
    if parts.username or parts.password:
        return "do not put a user name or password in the server address"
    return None


def check_proxy(value: str) -> str | None:
    """'' (environment), 'system' (OS settings), 'direct' (no proxy) or a proxy URL."""
    if value in ("", "system", "direct"):
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "use '', 'system', 'direct' or a proxy address like http://proxy.example.com:3128"
    return None


def check_ca_bundle(value: str) -> str | None:
    """A file's path, or empty (whether the file exists is checked where a person types it: a
    policy may name a file that exists only once its own deployment has run)."""
    return "expected the path of a PEM file" if "\x00" in value else None


def missing_file(value: str) -> str | None:
    """For a path a person types: the problem when no file is there."""
    if value and not Path(value).expanduser().is_file():
        return f"there is no file at {value}"
    return None


_DECLARED = (
    Setting("server_url", str, "", "The Atrium server's address, e.g. atrium.example.com.",
            check=check_server_url),
    Setting("allow_server_change", bool, True,
            "Whether people may change the server address (managed policy only).", policy_only=True),
    Setting("retention_days", int, 90, "Days of posts kept for offline reading.",
            minimum=1, maximum=3650),
    Setting("cache_size_cap_mb", int, 2048, "Largest size of the local cache, in MB.",
            minimum=64, maximum=1_048_576),
    Setting("attachment_cache_mb", int, 1024, "Largest size of cached attachments, in MB.",
            minimum=0, maximum=1_048_576),
    Setting("proxy", str, "", "How to reach the server: leave empty to follow the environment, type "
            "system for this computer's proxy settings, direct for no proxy, or a proxy's address "
            "(http://proxy.example.com:3128).", check=check_proxy),
    Setting("extra_ca_bundle", str, "",
            "A PEM file of extra certificate authorities to trust (besides the OS's).",
            check=check_ca_bundle),
    Setting("apps_allowed", list, ["*"], "Business apps shown: their ids, or * for all of them."),
    Setting("desktop_notifications", bool, True, "Show desktop notifications."),
    Setting("theme", str, "system", "Light, dark, or as this computer is set.",
            choices=("system", "light", "dark")),
    Setting("sync_interval_seconds", int, 300,
            "Seconds between background syncs when no push wake-up arrives.", minimum=15, maximum=86_400),
)  # fmt: skip
SETTINGS: dict[str, Setting] = {declared.name: declared for declared in _DECLARED}


def setting(name: str) -> Setting:
    try:
        return SETTINGS[name]
    except KeyError:
        raise KeyError(f"there is no setting named {name!r}") from None


# --- the layered settings -------------------------------------------------------------------------


def write_json_atomically(path: Path, data: dict[str, Any]) -> None:
    """Write DATA to PATH so that a crash leaves either the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    handle, temp_name = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise


class Settings:
    """The effective settings: policy over user choice over default."""

    def __init__(self, settings_file: Path, policy: Policy) -> None:
        self.settings_file = settings_file
        self.policy = policy
        self.problems: list[str] = [f"Managed policy: {p}" for p in policy.problems]
        self._stored: dict[str, Any] = {}  # the file's whole content, unknown and invalid keys included
        self._user: dict[str, Any] = {}  # the valid user choices
        self._writable = True
        self._listeners: list[Callable[[str, Any], None]] = []

    @classmethod
    def load(
        cls, profile: Profile | Path, *, policy_source: Policy | str | os.PathLike[str] | None = None
    ) -> Settings:
        """Read policy (POLICY_SOURCE: a Policy, a JSON policy file, or None for this OS's) and the user file."""
        from .policy import Policy, read_json_policy, read_policy  # policy.py imports this module

        if isinstance(policy_source, Policy):
            policy = policy_source
        elif policy_source is None:
            policy = read_policy()
        else:
            policy = read_json_policy(Path(policy_source))
        path = profile.settings_file if isinstance(profile, Profile) else Path(profile)
        settings = cls(path, policy)
        settings._read_user_file()
        return settings

    # -- reading ---------------------------------------------------------------------------------

    def get(self, name: str) -> Any:
        declared = setting(name)
        if name in self.policy.values:
            value = self.policy.values[name]
        elif name in self._user:
            value = self._user[name]
        else:
            value = declared.default
        return list(value) if isinstance(value, list) else value

    def source_of(self, name: str) -> Source:
        setting(name)
        if name in self.policy.values:
            return "policy"
        return "user" if name in self._user else "default"

    def is_locked(self, name: str) -> bool:
        return self.locked_reason(name) is not None

    def locked_reason(self, name: str) -> str | None:
        """Why the user cannot change NAME (for the settings dialog), or None."""
        declared = setting(name)
        if name in self.policy.values:
            return f"Set by your organisation ({self.policy.origins.get(name, 'managed policy')})."
        if declared.policy_only:
            return "Only your organisation's managed policy can change this."
        if name == "server_url" and not self.get("allow_server_change"):
            return "Your organisation does not allow changing the server."
        return None

    def as_dict(self) -> dict[str, Any]:
        return {name: self.get(name) for name in SETTINGS}

    def on_change(self, listener: Callable[[str, Any], None]) -> None:
        """Call LISTENER(name, new_value) after each successful set or reset."""
        self._listeners.append(listener)

    # -- writing ---------------------------------------------------------------------------------

    def set(self, name: str, value: Any) -> None:
        """Store the user's choice. PolicyLockedError if policy fixes NAME; ValueError if VALUE is bad."""
        declared = setting(name)
        reason = self.locked_reason(name)
        if reason:
            raise PolicyLockedError(f"{name} cannot be changed: {reason}")
        checked = declared.validate(value)
        self._save({**self._stored, name: checked})
        self._user[name] = checked
        self._notify(name)

    def reset(self, name: str) -> None:
        """Forget the user's choice for NAME (back to the default)."""
        setting(name)
        reason = self.locked_reason(name)
        if reason:
            raise PolicyLockedError(f"{name} cannot be changed: {reason}")
        if name not in self._stored:
            return
        self._save({k: v for k, v in self._stored.items() if k != name})
        self._user.pop(name, None)
        self._notify(name)

    def _notify(self, name: str) -> None:
        for listener in list(self._listeners):
            listener(name, self.get(name))

    def _save(self, content: dict[str, Any]) -> None:
        if not self._writable:
            raise SettingsSaveError(
                f"{self.settings_file} could not be read, so Atrium will not overwrite it. "
                "Fix or remove the file and restart Atrium."
            )
        try:
            write_json_atomically(self.settings_file, content)
        except OSError as error:
            raise SettingsSaveError(f"Could not save settings to {self.settings_file}: {error}") from error
        self._stored = content

    def _read_user_file(self) -> None:
        path = self.settings_file
        try:
            raw = path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):  # no file yet: nothing to keep safe
            return
        except OSError as error:
            self._writable = False
            self.problems.append(f"Your settings file {path} could not be read ({error}); using defaults.")
            return
        try:
            content = json.loads(raw.decode("utf-8-sig"))  # Notepad writes a BOM
            if not isinstance(content, dict):
                raise ValueError("the file does not hold a JSON object")
        except ValueError as error:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            self._set_aside(path, str(error))
            return
        self._stored = content
        for name, value in content.items():
            declared = SETTINGS.get(name)
            if declared is None:
                self.problems.append(f"settings.json: unknown setting '{name}' ignored (left in the file).")
            elif declared.policy_only:
                self.problems.append(f"settings.json: '{name}' can only be set by managed policy; ignored.")
            else:
                try:
                    self._user[name] = declared.validate(value)
                except ValueError as error:
                    self.problems.append(f"settings.json: {error}; using the default (left in the file).")

    def _set_aside(self, path: Path, why: str) -> None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = path.with_name(f"{path.name}.corrupt-{stamp}")
        number = 1
        while target.exists():
            number += 1
            target = path.with_name(f"{path.name}.corrupt-{stamp}-{number}")
        try:
            os.replace(path, target)
        except OSError as error:
            self._writable = False
            self.problems.append(
                f"Your settings file {path} is damaged ({why}) and could not be moved aside ({error}); "
                "using defaults."
            )
            return
        self.problems.append(
            f"Your settings file was damaged ({why}). It was kept as {target.name}; using defaults."
        )


def attachment_cap_bytes(settings: Settings) -> int:
    """How many bytes of attachments the cache may hold (``attachment_cache_mb``, a setting and a
    policy key); files kept offline are never evicted to meet it."""
    return int(settings.get("attachment_cache_mb")) * 1024 * 1024
