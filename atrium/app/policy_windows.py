"""Managed policy on Windows: ``Software\\Policies\\Atrium\\Atrium`` under HKLM, then HKCU.

The mapping from registry values to setting types is plain Python over a dict of
``name -> (data, registry type)``, so it is tested on every OS; only ``read_registry_key``
touches the registry, and only on Windows. Value names are the setting names (case-insensitive).
"""

from __future__ import annotations

import ntpath
import sys
from collections.abc import Mapping
from typing import Any

from .policy import Policy, layered, policy_from_values
from .settings import Setting, describe

POLICY_KEY = r"Software\Policies\Atrium\Atrium"

# winreg's constants, repeated so the mapping works where winreg does not exist.
REG_SZ = 1
REG_EXPAND_SZ = 2
REG_BINARY = 3
REG_DWORD = 4
REG_MULTI_SZ = 7
REG_QWORD = 11
_TYPE_NAMES = {
    REG_SZ: "REG_SZ",
    REG_EXPAND_SZ: "REG_EXPAND_SZ",
    REG_BINARY: "REG_BINARY",
    REG_DWORD: "REG_DWORD",
    REG_MULTI_SZ: "REG_MULTI_SZ",
    REG_QWORD: "REG_QWORD",
}

RegistryValues = Mapping[str, tuple[Any, int]]


def registry_value(declared: Setting, entry: Any) -> Any:
    """Map one registry value (data, type) to DECLARED's type; ValueError says why it cannot."""
    if not isinstance(entry, tuple) or len(entry) != 2:
        raise ValueError(f"{declared.name}: unreadable registry value {entry!r}")
    data, kind = entry
    type_name = _TYPE_NAMES.get(kind, f"registry type {kind}")
    if kind in (REG_SZ, REG_EXPAND_SZ) and isinstance(data, str):
        text = ntpath.expandvars(data) if kind == REG_EXPAND_SZ else data
        return declared.parse_text(text)
    if kind in (REG_DWORD, REG_QWORD) and isinstance(data, int) and not isinstance(data, bool):
        if declared.type is bool:
            if data not in (0, 1):
                raise ValueError(f"{declared.name}: a {type_name} for on/off must be 0 or 1, got {data}")
            return declared.validate(bool(data))
        if declared.type is int:
            return declared.validate(data)
    if kind == REG_MULTI_SZ and isinstance(data, list) and declared.type is list:
        return declared.validate([item.strip() for item in data if isinstance(item, str) and item.strip()])
    expected = {bool: "REG_DWORD (0 or 1)", int: "REG_DWORD", list: "REG_MULTI_SZ or REG_SZ", str: "REG_SZ"}[
        declared.type
    ]
    raise ValueError(f"{declared.name}: expected a {expected}, got a {type_name} ({describe(data)})")


def policy_from_registry(values: RegistryValues, origin: str) -> Policy:
    return policy_from_values(values, origin, registry_value)


def read_windows_policy(
    hklm: RegistryValues | None = None,
    hkcu: RegistryValues | None = None,
) -> Policy:
    """Machine policy (HKLM) over user policy (HKCU). Without arguments, reads this PC's registry."""
    if hklm is None and hkcu is None:
        hklm, hkcu = read_registry_key("HKLM"), read_registry_key("HKCU")
    return layered(
        policy_from_registry(hklm or {}, "HKLM\\" + POLICY_KEY),
        policy_from_registry(hkcu or {}, "HKCU\\" + POLICY_KEY),
    )


def read_registry_key(hive: str) -> dict[str, tuple[Any, int]]:
    """Every value of the policy key under HIVE ("HKLM" or "HKCU"); empty if the key is absent."""
    if sys.platform != "win32":
        return {}
    import winreg

    root = winreg.HKEY_LOCAL_MACHINE if hive == "HKLM" else winreg.HKEY_CURRENT_USER
    values: dict[str, tuple[Any, int]] = {}
    try:
        key = winreg.OpenKey(root, POLICY_KEY, 0, winreg.KEY_READ)
    except FileNotFoundError:
        return values
    with key:
        index = 0
        while True:
            try:
                name, data, kind = winreg.EnumValue(key, index)
            except OSError:  # no more values
                break
            values[name] = (data, kind)
            index += 1
    return values
