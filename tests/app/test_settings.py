"""Profile location and layered settings: defaults, the user's file (atomic, damage-tolerant), locks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from atrium.app.policy import Policy
from atrium.app.profile import Profile, default_profile_dir
from atrium.app.settings import SETTINGS, PolicyLockedError, Settings, SettingsSaveError

# --- profile ------------------------------------------------------------------------------------------


def test_profile_explicit_folder_beats_environment(tmp_path: Path) -> None:
    chosen = Profile.locate(tmp_path / "a", environ={"ATRIUM_PROFILE": str(tmp_path / "b")})
    assert chosen.root == tmp_path / "a"
    from_env = Profile.locate(environ={"ATRIUM_PROFILE": str(tmp_path / "b")})
    assert from_env.root == tmp_path / "b"


def test_profile_default_per_platform(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert default_profile_dir("linux", {}, home) == home / ".local/share/atrium"
    assert default_profile_dir("linux", {"XDG_DATA_HOME": "/data"}, home) == Path("/data/atrium")
    # A relative XDG_DATA_HOME is invalid by the spec and ignored.
    assert default_profile_dir("linux", {"XDG_DATA_HOME": "rel"}, home) == home / ".local/share/atrium"
    assert default_profile_dir("darwin", {}, home) == home / "Library/Application Support/Atrium"
    windows = default_profile_dir("win32", {"LOCALAPPDATA": "C:\\Users\\ann\\AppData\\Local"}, home)
    assert windows.name == "Atrium" and str(windows).startswith("C:\\Users\\ann\\AppData\\Local")
    assert Profile.locate(environ={}, platform="darwin", home=home).root.name == "Atrium"


def test_profile_paths_and_ensure(tmp_path: Path) -> None:
    profile = Profile(tmp_path / "p").ensure()
    assert profile.settings_file == tmp_path / "p" / "settings.json"
    assert profile.cache_db.parent == profile.root
    assert profile.attachments_dir.is_dir() and profile.log_dir.is_dir()


# --- declarations ----------------------------------------------------------------------------------------


def test_every_default_is_valid_and_described() -> None:
    required = {"server_url", "allow_server_change", "retention_days", "cache_size_cap_mb",
                "attachment_cache_mb", "proxy", "extra_ca_bundle", "apps_allowed",
                "desktop_notifications", "theme", "sync_interval_seconds"}  # fmt: skip
    assert required <= set(SETTINGS)
    for declared in SETTINGS.values():
        assert declared.validate(declared.default) == declared.default
        assert declared.description
    assert SETTINGS["retention_days"].default == 90
    assert (SETTINGS["retention_days"].minimum, SETTINGS["retention_days"].maximum) == (1, 3650)


def test_parse_text_for_registry_and_command_line_values() -> None:
    assert SETTINGS["desktop_notifications"].parse_text(" Yes ") is True
    assert SETTINGS["desktop_notifications"].parse_text("0") is False
    assert SETTINGS["retention_days"].parse_text("30") == 30
    assert SETTINGS["apps_allowed"].parse_text("wiki; crm, ,hr") == ["wiki", "crm", "hr"]
    with pytest.raises(ValueError, match="retention_days: must be at most 3650"):
        SETTINGS["retention_days"].parse_text("99999")
    with pytest.raises(ValueError, match="desktop_notifications: expected true or false"):
        SETTINGS["desktop_notifications"].parse_text("maybe")


# --- the user's settings file ------------------------------------------------------------------------


def load(profile: Profile, policy: Policy | None = None) -> Settings:
    return Settings.load(profile, policy_source=policy or Policy())


def test_defaults_when_there_is_no_file(profile: Profile) -> None:
    settings = load(profile)
    assert settings.get("retention_days") == 90
    assert settings.get("theme") == "system"
    assert settings.source_of("theme") == "default"
    assert settings.problems == []
    assert not profile.settings_file.exists()


def test_set_persists_atomically_and_survives_a_reload(profile: Profile) -> None:
    settings = load(profile)
    seen: list[tuple[str, object]] = []
    settings.on_change(lambda name, value: seen.append((name, value)))
    settings.set("theme", "dark")
    settings.set("retention_days", 30)
    assert seen == [("theme", "dark"), ("retention_days", 30)]
    assert json.loads(profile.settings_file.read_text()) == {"theme": "dark", "retention_days": 30}
    assert [p.name for p in profile.root.iterdir() if p.is_file()] == ["settings.json"]  # no temp files
    again = load(profile)
    assert again.get("theme") == "dark" and again.source_of("theme") == "user"
    again.reset("theme")
    assert again.get("theme") == "system"
    assert load(profile).source_of("theme") == "default"


def test_bad_values_are_refused_with_a_clear_message(profile: Profile) -> None:
    settings = load(profile)
    with pytest.raises(ValueError, match=r"retention_days: must be at least 1, got 0"):
        settings.set("retention_days", 0)
    with pytest.raises(ValueError, match=r"theme: must be one of system, light, dark"):
        settings.set("theme", "purple")
    with pytest.raises(ValueError, match=r"desktop_notifications: expected true or false, got a number 1"):
        settings.set("desktop_notifications", 1)
    with pytest.raises(ValueError, match=r"server_url: use an https:// \(or http://\) address"):
        settings.set("server_url", "ftp://files.example.com")
    with pytest.raises(ValueError, match="proxy"):
        settings.set("proxy", "not a proxy")
    with pytest.raises(KeyError, match="no setting named 'colour'"):
        settings.set("colour", "red")
    assert not profile.settings_file.exists()


def test_partly_invalid_file_keeps_good_keys_and_loses_nothing(profile: Profile) -> None:
    profile.settings_file.write_text(json.dumps({
        "theme": "light", "retention_days": "thirty", "future_option": {"x": 1},
        "allow_server_change": False, "sync_interval_seconds": 600,
    }))  # fmt: skip
    settings = load(profile)
    assert settings.get("theme") == "light"
    assert settings.get("sync_interval_seconds") == 600
    assert settings.get("retention_days") == 90
    assert settings.get("allow_server_change") is True  # only policy may set it
    text = "\n".join(settings.problems)
    assert 'retention_days: expected a whole number, got text "thirty"' in text
    assert "unknown setting 'future_option'" in text
    assert "'allow_server_change' can only be set by managed policy" in text
    settings.set("theme", "dark")
    stored = json.loads(profile.settings_file.read_text())
    # Writing one key keeps what this version did not understand.
    assert stored == {"theme": "dark", "retention_days": "thirty", "future_option": {"x": 1},
                      "allow_server_change": False, "sync_interval_seconds": 600}  # fmt: skip


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b"\xff\xfe\x00garbage", b""])
def test_a_corrupt_file_is_moved_aside_and_reported(profile: Profile, content: bytes) -> None:
    profile.settings_file.write_bytes(content)
    settings = load(profile)
    assert settings.get("theme") == "system"
    assert len(settings.problems) == 1 and "damaged" in settings.problems[0]
    kept = list(profile.root.glob("settings.json.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == content
    assert kept[0].name in settings.problems[0]
    settings.set("theme", "dark")  # a fresh file is written; the damaged one stays aside
    assert json.loads(profile.settings_file.read_text()) == {"theme": "dark"}
    assert load(profile).problems == []
    profile.settings_file.write_bytes(content)
    load(profile)
    assert len(list(profile.root.glob("settings.json.corrupt-*"))) == 2  # never overwrites an earlier one


def test_a_byte_order_mark_is_fine(profile: Profile) -> None:
    profile.settings_file.write_bytes(b"\xef\xbb\xbf" + json.dumps({"theme": "dark"}).encode())
    settings = load(profile)
    assert settings.get("theme") == "dark" and settings.problems == []


def test_an_unreadable_file_is_reported_and_never_overwritten(profile: Profile) -> None:
    profile.settings_file.mkdir()  # a folder where the file should be: reading fails
    settings = load(profile)
    assert "could not be read" in settings.problems[0]
    with pytest.raises(SettingsSaveError, match="will not overwrite"):
        settings.set("theme", "dark")
    assert profile.settings_file.is_dir()
    assert settings.get("theme") == "system"


def test_a_failed_save_keeps_the_old_value(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    settings = Settings.load(blocker / "settings.json", policy_source=Policy())
    with pytest.raises(SettingsSaveError, match="Could not save settings"):
        settings.set("theme", "dark")
    assert settings.get("theme") == "system" and settings.source_of("theme") == "default"


# --- locks ----------------------------------------------------------------------------------------------


def test_policy_locks_a_key_and_wins_over_the_user(profile: Profile) -> None:
    profile.settings_file.write_text(json.dumps({"retention_days": 10, "theme": "dark"}))
    policy = Policy(values={"retention_days": 365}, origins={"retention_days": "/etc/atrium/policy.json"})
    settings = load(profile, policy)
    assert settings.get("retention_days") == 365 and settings.source_of("retention_days") == "policy"
    assert settings.is_locked("retention_days") and not settings.is_locked("theme")
    assert "/etc/atrium/policy.json" in (settings.locked_reason("retention_days") or "")
    with pytest.raises(PolicyLockedError, match="retention_days"):
        settings.set("retention_days", 20)
    with pytest.raises(PolicyLockedError):
        settings.reset("retention_days")
    assert json.loads(profile.settings_file.read_text())["retention_days"] == 10  # the user's choice stays


def test_allow_server_change_false_locks_the_server_url(profile: Profile) -> None:
    free = load(profile)
    free.set("server_url", "atrium.example.com")
    assert not free.is_locked("server_url")
    assert free.is_locked("allow_server_change")  # only policy sets it
    with pytest.raises(PolicyLockedError):
        free.set("allow_server_change", False)
    locked = load(profile, Policy(values={"allow_server_change": False}))
    assert locked.is_locked("server_url")
    assert locked.get("server_url") == "atrium.example.com"  # what was chosen before still applies
    assert locked.source_of("server_url") == "user"
    with pytest.raises(PolicyLockedError, match="does not allow changing the server"):
        locked.set("server_url", "evil.example.com")


def test_policy_problems_are_reported_through_settings(profile: Profile) -> None:
    settings = load(profile, Policy(problems=["/etc/atrium/policy.json: unknown key 'x' ignored."]))
    assert settings.problems == ["Managed policy: /etc/atrium/policy.json: unknown key 'x' ignored."]


def test_values_handed_out_cannot_change_the_settings(profile: Profile) -> None:
    settings = load(profile)
    settings.get("apps_allowed").append("crm")
    assert settings.get("apps_allowed") == ["*"]
