"""The signed-in account of a profile: who, on which server, with which device; the token lives in the keyring.

``account.json`` in the profile holds only non-secret facts (server, handle,
user id, device id) so a restart knows whose token to ask the keyring for.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import orjson

from .settings import write_json_atomically

ACCOUNT_FILE = "account.json"


@dataclass(frozen=True)
class Account:
    server: str
    handle: str
    user_id: str
    device_id: str
    display_name: str = ""


def account_path(profile_dir: Path) -> Path:
    return profile_dir / ACCOUNT_FILE


def load_account(profile_dir: Path) -> Account | None:
    path = account_path(profile_dir)
    try:
        data = orjson.loads(path.read_bytes())
        return Account(
            **{key: str(data[key]) for key in ("server", "handle", "user_id", "device_id")},
            display_name=str(data.get("display_name", "")),
        )
    except FileNotFoundError:
        return None
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError):
        return None  # a damaged account file means: sign in again (the cache keeps its data)


def save_account(profile_dir: Path, account: Account) -> None:
    profile_dir.mkdir(parents=True, exist_ok=True)
    write_json_atomically(account_path(profile_dir), asdict(account))


def forget_account(profile_dir: Path) -> None:
    account_path(profile_dir).unlink(missing_ok=True)
