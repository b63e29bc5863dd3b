"""Managed policy: each platform's reader, broken input, precedence (HKLM > HKCU, policy > user > default)."""

from __future__ import annotations

import json
import plistlib
import string
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atrium.app.policy import Policy, read_json_policy, read_policy
from atrium.app.policy_macos import managed_plist_paths, read_macos_policy
from atrium.app.policy_windows import (
    REG_BINARY,
    REG_DWORD,
    REG_EXPAND_SZ,
    REG_MULTI_SZ,
    REG_QWORD,
    REG_SZ,
    read_windows_policy,
)
from atrium.app.profile import Profile
from atrium.app.settings import SETTINGS, PolicyLockedError, Settings

# --- Linux: a JSON file -------------------------------------------------------------------------------


def write_json(path: Path, content: Any) -> Path:
    path.write_text(json.dumps(content))
    return path


def test_json_policy_applies_good_keys_and_names_bad_ones(tmp_path: Path) -> None:
    path = write_json(tmp_path / "policy.json", {
        "server_url": "https://atrium.corp.example", "allow_server_change": False,
        "retention_days": 5000, "theme": "neon", "apps_allowed": ["crm", "hr"],
        "telemetry": True, "_comment": "IT ticket 4711", "$schema": "x",
    })  # fmt: skip
    policy = read_json_policy(path)
    assert policy.values == {
        "server_url": "https://atrium.corp.example", "allow_server_change": False, "apps_allowed": ["crm", "hr"],
    }  # fmt: skip
    assert policy.origins["server_url"] == str(path)
    problems = "\n".join(policy.problems)
    assert "retention_days: must be at most 3650, got 5000" in problems
    assert "theme: must be one of system, light, dark" in problems
    assert "unknown key 'telemetry' ignored" in problems
    assert "_comment" not in problems and "$schema" not in problems
    assert len(policy.problems) == 3


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"{broken", "is not valid JSON"),
        (b"[1]", "must hold a JSON object"),
        (b"\xff\xfe", "is not valid JSON"),
    ],
)
def test_a_broken_policy_file_is_reported_not_fatal(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "policy.json"
    path.write_bytes(content)
    policy = read_json_policy(path)
    assert policy.values == {}
    assert len(policy.problems) == 1 and expected in policy.problems[0] and str(path) in policy.problems[0]


def test_no_policy_file_is_no_policy_and_no_problem(tmp_path: Path) -> None:
    assert read_json_policy(tmp_path / "missing.json") == Policy()


def test_the_policy_file_can_be_named_by_environment_or_parameter(tmp_path: Path) -> None:
    env_file = write_json(tmp_path / "env.json", {"theme": "dark"})
    param_file = write_json(tmp_path / "param.json", {"theme": "light"})
    environ = {"ATRIUM_POLICY_FILE": str(env_file)}
    assert read_policy("linux", environ=environ).values == {"theme": "dark"}
    assert read_policy("linux", path=param_file, environ=environ).values == {"theme": "light"}
    # On Windows and macOS policy comes from sources a user cannot redirect with a variable.
    assert read_policy("win32", environ=environ).values == {}


# --- Windows: the registry, as a dict -------------------------------------------------------------------


def test_registry_values_map_to_the_declared_types(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATRIUM_CA_DIR", "C:\\certs")
    hklm = {
        "server_url": ("https://atrium.corp.example", REG_SZ),
        "ALLOW_SERVER_CHANGE": (0, REG_DWORD),  # value names are case-insensitive in the registry
        "retention_days": (180, REG_DWORD),
        "cache_size_cap_mb": ("4096", REG_SZ),
        "desktop_notifications": ("false", REG_SZ),
        "apps_allowed": (["crm", " hr ", ""], REG_MULTI_SZ),
        "extra_ca_bundle": ("%ATRIUM_CA_DIR%\\corp.pem", REG_EXPAND_SZ),
        "sync_interval_seconds": (900, REG_QWORD),
    }
    policy = read_windows_policy(hklm=hklm)
    assert policy.problems == []
    assert policy.values == {
        "server_url": "https://atrium.corp.example", "allow_server_change": False, "retention_days": 180,
        "cache_size_cap_mb": 4096, "desktop_notifications": False, "apps_allowed": ["crm", "hr"],
        "extra_ca_bundle": "C:\\certs\\corp.pem", "sync_interval_seconds": 900,
    }  # fmt: skip
    assert policy.origins["retention_days"] == "HKLM\\Software\\Policies\\Atrium\\Atrium"


def test_registry_values_of_the_wrong_kind_are_named_and_skipped() -> None:
    policy = read_windows_policy(hklm={
        "desktop_notifications": (2, REG_DWORD),
        "retention_days": (b"\x01\x00", REG_BINARY),
        "theme": (1, REG_DWORD),
        "apps_allowed": ("crm;hr", REG_SZ),  # a list may also be one separated string
        "Colour": ("blue", REG_SZ),
    })  # fmt: skip
    assert policy.values == {"apps_allowed": ["crm", "hr"]}
    problems = "\n".join(policy.problems)
    assert "desktop_notifications: a REG_DWORD for on/off must be 0 or 1, got 2" in problems
    assert "retention_days: expected a REG_DWORD, got a REG_BINARY" in problems
    assert "theme: expected a REG_SZ, got a REG_DWORD" in problems
    assert "unknown key 'Colour' ignored" in problems


def test_hklm_wins_over_hkcu_and_hkcu_fills_the_gaps() -> None:
    policy = read_windows_policy(
        hklm={"retention_days": (30, REG_DWORD)},
        hkcu={"retention_days": (60, REG_DWORD), "theme": ("dark", REG_SZ)},
    )
    assert policy.values == {"retention_days": 30, "theme": "dark"}
    assert policy.origins["retention_days"].startswith("HKLM\\")
    assert policy.origins["theme"].startswith("HKCU\\")


# --- macOS: managed preference plists --------------------------------------------------------------------


def test_macos_user_managed_preferences_win_over_computer_wide(tmp_path: Path) -> None:
    user_plist, computer_plist = managed_plist_paths("ann", root=tmp_path)
    assert user_plist == tmp_path / "ann" / "com.atrium.desktop.plist"
    user_plist.parent.mkdir()
    user_plist.write_bytes(plistlib.dumps({"theme": "dark", "retention_days": "thirty"}))
    computer_plist.write_bytes(plistlib.dumps({
        "theme": "light", "allow_server_change": False, "apps_allowed": ["crm"],
    }))  # fmt: skip
    policy = read_macos_policy([user_plist, computer_plist])
    assert policy.values == {"theme": "dark", "allow_server_change": False, "apps_allowed": ["crm"]}
    assert any("retention_days" in p for p in policy.problems)


def test_a_broken_plist_is_reported_and_the_other_still_applies(tmp_path: Path) -> None:
    broken, good = tmp_path / "user.plist", tmp_path / "computer.plist"
    broken.write_bytes(b"<?xml version='1.0'?><plist><dict><key>theme</key>")
    good.write_bytes(plistlib.dumps({"theme": "light"}))
    policy = read_macos_policy([broken, good])
    assert policy.values == {"theme": "light"}
    assert len(policy.problems) == 1 and "not a valid property list" in policy.problems[0]


# --- precedence through Settings --------------------------------------------------------------------------


def test_policy_over_user_over_default(tmp_path: Path) -> None:
    profile = Profile(tmp_path / "p").ensure()
    profile.settings_file.write_text(json.dumps({"theme": "dark", "retention_days": 10}))
    policy_file = write_json(tmp_path / "policy.json", {"retention_days": 120})
    settings = Settings.load(profile, policy_source=policy_file)
    assert (settings.get("retention_days"), settings.source_of("retention_days")) == (120, "policy")
    assert (settings.get("theme"), settings.source_of("theme")) == ("dark", "user")
    assert (settings.get("sync_interval_seconds"), settings.source_of("sync_interval_seconds")) == (
        300,
        "default",
    )
    with pytest.raises(PolicyLockedError):
        settings.set("retention_days", 7)


def test_settings_load_reads_the_os_policy_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.setenv("ATRIUM_POLICY_FILE", str(write_json(tmp_path / "p.json", {"theme": "light"})))
    settings = Settings.load(Profile(tmp_path / "profile"))
    assert settings.source_of("theme") == "policy"


def test_windows_policy_through_settings(tmp_path: Path) -> None:
    policy = read_windows_policy(
        hklm={"allow_server_change": (0, REG_DWORD), "server_url": ("atrium.corp.example", REG_SZ)},
        hkcu={"server_url": ("elsewhere.example", REG_SZ), "desktop_notifications": (0, REG_DWORD)},
    )
    settings = Settings.load(Profile(tmp_path / "p"), policy_source=policy)
    assert settings.get("server_url") == "atrium.corp.example"
    assert settings.get("desktop_notifications") is False
    assert settings.is_locked("server_url") and settings.is_locked("desktop_notifications")


# --- random policies: never raise, good keys applied, bad keys named ------------------------------------------

_VALID: dict[str, st.SearchStrategy[Any]] = {
    "server_url": st.sampled_from(
        ["", "atrium.example.com", "https://a.example.com/x", "http://127.0.0.1:8470"]
    ),
    "allow_server_change": st.booleans(),
    "retention_days": st.integers(1, 3650),
    "cache_size_cap_mb": st.integers(64, 1_048_576),
    "attachment_cache_mb": st.integers(0, 1_048_576),
    "proxy": st.sampled_from(["", "system", "direct", "http://proxy.example.com:3128"]),
    "extra_ca_bundle": st.text(alphabet=string.printable),
    "apps_allowed": st.lists(st.text(min_size=1)),
    "desktop_notifications": st.booleans(),
    "theme": st.sampled_from(["system", "light", "dark"]),
    "sync_interval_seconds": st.integers(15, 86_400),
}
_NOT_SCALAR = st.one_of(st.none(), st.floats(allow_nan=False), st.lists(st.integers(), min_size=1),
                        st.dictionaries(st.text(), st.integers()))  # fmt: skip
_INVALID: dict[str, st.SearchStrategy[Any]] = {
    "server_url": st.one_of(
        _NOT_SCALAR, st.sampled_from(["ftp://x", "a b", "https://u:p@h", "https://h:99999"])
    ),
    "allow_server_change": st.one_of(_NOT_SCALAR, st.integers(), st.text()),
    "retention_days": st.one_of(
        _NOT_SCALAR, st.integers(max_value=0), st.integers(min_value=3651), st.text()
    ),
    "cache_size_cap_mb": st.one_of(_NOT_SCALAR, st.integers(max_value=63), st.booleans()),
    "attachment_cache_mb": st.one_of(_NOT_SCALAR, st.integers(max_value=-1)),
    "proxy": st.one_of(_NOT_SCALAR, st.sampled_from(["sytem", "ftp://p", "socks5://p:1080"])),
    "extra_ca_bundle": st.one_of(_NOT_SCALAR, st.just("a\x00b")),
    "apps_allowed": st.one_of(st.none(), st.text(), st.lists(st.integers(), min_size=1), st.just([""])),
    "desktop_notifications": st.one_of(_NOT_SCALAR, st.integers(), st.text()),
    "theme": st.one_of(_NOT_SCALAR, st.text().filter(lambda t: t not in ("system", "light", "dark"))),
    "sync_interval_seconds": st.one_of(_NOT_SCALAR, st.integers(max_value=14), st.integers(min_value=86_401)),
}
_FOLDED = {name.casefold() for name in SETTINGS}
_UNKNOWN_KEYS = st.text(min_size=1).filter(
    lambda k: k.casefold() not in _FOLDED and not k.startswith(("_", "$"))
)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@st.composite
def mixed_policies(draw: st.DrawFn) -> tuple[dict[str, Any], set[str], set[str], set[str]]:
    role = {name: draw(st.sampled_from(["good", "bad", "absent"])) for name in SETTINGS}
    good = {name for name, chosen in role.items() if chosen == "good"}
    bad = {name for name, chosen in role.items() if chosen == "bad"}
    unknown = set(draw(st.sets(_UNKNOWN_KEYS, max_size=3)))
    content: dict[str, Any] = {name: draw(_VALID[name]) for name in good}
    content.update({name: draw(_INVALID[name]) for name in bad})
    content.update({name: draw(_JSON) for name in unknown})
    return content, good, bad, unknown


_HYPOTHESIS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_HYPOTHESIS
@given(case=mixed_policies())
def test_random_policies_apply_exactly_the_good_keys(tmp_path: Path, case: Any) -> None:
    content, good, bad, unknown = case
    policy = read_json_policy(write_json(tmp_path / "policy.json", content))
    assert set(policy.values) == good
    for name in good:
        assert policy.values[name] == content[name]
    assert len(policy.problems) == len(bad) + len(unknown)
    for name in bad:
        assert any(f": {name}: " in problem for problem in policy.problems), (name, policy.problems)
    for key in unknown:
        assert any(f"unknown key '{key}' ignored" in problem for problem in policy.problems)


@_HYPOTHESIS
@given(content=_JSON, user=_JSON)
def test_any_json_anywhere_never_stops_the_app(tmp_path: Path, content: Any, user: Any) -> None:
    profile = Profile(tmp_path / "p").ensure()
    for leftover in profile.root.glob("settings.json*"):
        leftover.unlink()
    profile.settings_file.write_text(json.dumps(user))
    settings = Settings.load(profile, policy_source=write_json(tmp_path / "policy.json", content))
    for name, declared in SETTINGS.items():
        assert declared.validate(settings.get(name)) == settings.get(name)
    if not isinstance(content, dict):
        assert any("must hold a JSON object" in problem for problem in settings.problems)


# --- the shipped templates (packaging/policy) ------------------------------------------------------------

TEMPLATES = Path(__file__).resolve().parents[2] / "packaging" / "policy"


def _parse_reg_file(path: Path) -> dict[str, tuple[Any, int]]:
    """The values of a regedit export (only the forms our template uses)."""
    values: dict[str, tuple[Any, int]] = {}
    for line in path.read_bytes().decode("utf-16").splitlines():
        if not line.startswith('"'):
            continue
        name, _, raw = line[1:].partition('"=')
        if raw.startswith("dword:"):
            values[name] = (int(raw[6:], 16), REG_DWORD)
        elif raw.startswith("hex(7):"):
            data = bytes(int(b, 16) for b in raw[7:].split(",")).decode("utf-16-le")
            values[name] = ([item for item in data.split("\0") if item], REG_MULTI_SZ)
        else:
            values[name] = (json.loads(raw), REG_SZ)
    return values


def test_templates_are_generated_from_the_settings_table(tmp_path: Path) -> None:
    import runpy

    generator = runpy.run_path(str(TEMPLATES / "generate_templates.py"))
    assert generator["main"](["--check", "--dir", str(TEMPLATES)]) == 0, "run generate_templates.py"
    assert generator["main"](["--check", "--dir", str(tmp_path)]) == 1  # an empty folder is out of date


def test_every_template_is_read_without_problems_and_lists_every_key(tmp_path: Path) -> None:
    every = set(SETTINGS)
    linux = read_json_policy(TEMPLATES / "policy.json")
    windows = read_windows_policy(hklm=_parse_reg_file(TEMPLATES / "atrium-policy.reg"))
    mac = read_macos_policy([TEMPLATES / "com.atrium.desktop.plist"])
    profile = plistlib.loads((TEMPLATES / "com.atrium.desktop.mobileconfig").read_bytes())
    (payload,) = profile["PayloadContent"]
    assert payload["PayloadType"] == "com.atrium.desktop"
    installed = tmp_path / "com.atrium.desktop.plist"
    installed.write_bytes(plistlib.dumps(payload))
    from_profile = read_macos_policy([installed])
    for policy in (linux, windows, mac, from_profile):
        assert policy.problems == [] and set(policy.values) == every
        assert policy.values["server_url"] == "https://atrium.example.com"
    assert linux.values == windows.values == mac.values == from_profile.values
    admx = (TEMPLATES / "admx" / "Atrium.admx").read_text()
    adml = (TEMPLATES / "admx" / "en-US" / "Atrium.adml").read_text()
    for name in every:
        assert f'valueName="{name}"' in admx and f'<string id="{name}_Help">' in adml


def test_the_admx_references_only_strings_and_presentations_the_adml_defines() -> None:
    import re
    import xml.etree.ElementTree as ElementTree

    admx = (TEMPLATES / "admx" / "Atrium.admx").read_text()
    adml_path = TEMPLATES / "admx" / "en-US" / "Atrium.adml"
    ns = {"p": "http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions"}
    adml = ElementTree.parse(adml_path).getroot()
    strings = {e.get("id") for e in adml.iterfind(".//p:stringTable/p:string", ns)}
    presentations = {e.get("id") for e in adml.iterfind(".//p:presentationTable/p:presentation", ns)}
    assert set(re.findall(r"\$\(string\.([^)]+)\)", admx)) <= strings
    assert set(re.findall(r"\$\(presentation\.([^)]+)\)", admx)) <= presentations
    policies = ElementTree.fromstring(admx).findall(".//p:policies/p:policy", ns)
    assert {p.get("name") for p in policies} == set(SETTINGS)
    assert {p.get("key") for p in policies} == {"Software\\Policies\\Atrium\\Atrium"}
