"""Write the managed-policy templates in this folder from the one settings table (atrium/app/settings.py).

    python packaging/policy/generate_templates.py            # rewrite the templates
    python packaging/policy/generate_templates.py --check    # exit 1 if they are out of date

tests/app/test_policy.py runs the check, so a new setting cannot be forgotten in a template.
"""

from __future__ import annotations

import argparse
import json
import plistlib
import sys
import uuid
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from atrium.app.policy_macos import DOMAIN
from atrium.app.policy_windows import POLICY_KEY
from atrium.app.settings import SETTINGS, Setting

HERE = Path(__file__).resolve().parent
# Example values where the default would make a poor example.
EXAMPLES: dict[str, Any] = {"server_url": "https://atrium.example.com", "allow_server_change": False}
_NAMESPACE = uuid.UUID("6b1f3c1e-8d1e-4a44-9a57-6f0e4e3b7a10")


def example(declared: Setting) -> Any:
    return EXAMPLES.get(declared.name, declared.default)


def policy_json() -> str:
    content: dict[str, Any] = {
        "_comment": "Example /etc/atrium/policy.json. Every key listed here is locked for all users "
        "of this machine: delete the keys you do not want to enforce. Keys starting with '_' are ignored."
    }
    content.update({name: example(s) for name, s in SETTINGS.items()})
    return json.dumps(content, indent=2, ensure_ascii=False) + "\n"


def _reg_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _reg_multi(items: list[str]) -> str:
    raw = "".join(item + "\0" for item in items).encode("utf-16-le") + b"\0\0"
    return "hex(7):" + ",".join(f"{byte:02x}" for byte in raw)


def reg_file() -> str:
    lines = [
        "Windows Registry Editor Version 5.00",
        "",
        "; Atrium managed policy, machine-wide (HKLM wins over HKCU for the same value).",
        "; Delete the values you do not want to enforce. Types: on/off = REG_DWORD 0 or 1,",
        "; numbers = REG_DWORD, text = REG_SZ, lists = REG_MULTI_SZ (or one REG_SZ separated by ';').",
        "; Prefer the ADMX template (admx/) with Group Policy or Intune over importing this file.",
        "",
        f"[HKEY_LOCAL_MACHINE\\{POLICY_KEY}]",
    ]
    for name, declared in SETTINGS.items():
        value = example(declared)
        lines.append(f"; {declared.description}")
        if declared.type is bool or declared.type is int:
            lines.append(f'"{name}"=dword:{int(value):08x}')
        elif declared.type is list:
            lines.append(f'"{name}"={_reg_multi(value)}')
        else:
            lines.append(f'"{name}"={_reg_string(value)}')
    return "\r\n".join(lines) + "\r\n"


def _policy_element(declared: Setting) -> str:
    name = declared.name
    if declared.type is bool:
        return (
            '      <enabledValue><decimal value="1" /></enabledValue>\n'
            '      <disabledValue><decimal value="0" /></disabledValue>\n'
        )
    if declared.type is int:
        limits = f' minValue="{declared.minimum or 0}" maxValue="{declared.maximum or 4294967295}"'
        element = f'<decimal id="{name}" valueName="{name}" required="true"{limits} />'
    elif declared.type is list:
        element = f'<multiText id="{name}" valueName="{name}" required="true" />'
    elif declared.choices:
        items = "".join(
            f'<item displayName="$(string.{name}_{choice})"><value><string>{choice}</string></value></item>'
            for choice in declared.choices
        )
        element = f'<enum id="{name}" valueName="{name}" required="true">{items}</enum>'
    else:
        element = f'<text id="{name}" valueName="{name}" required="true" />'
    return f"      <elements>{element}</elements>\n"


def admx() -> str:
    policies = []
    for name, declared in SETTINGS.items():
        value_name = f' valueName="{name}"' if declared.type is bool else ""
        presentation = "" if declared.type is bool else f' presentation="$(presentation.{name})"'
        policies.append(
            f'    <policy name="{name}" class="Both" displayName="$(string.{name})" '
            f'explainText="$(string.{name}_Help)"{presentation} key="{POLICY_KEY}"{value_name}>\n'
            f'      <parentCategory ref="Atrium" />\n'
            f'      <supportedOn ref="SUPPORTED_Atrium_0_1" />\n'
            f"{_policy_element(declared)}"
            f"    </policy>\n"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<policyDefinitions xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" revision="1.0" schemaVersion="1.0" '
        'xmlns="http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions">\n'
        "  <policyNamespaces>\n"
        '    <target prefix="atrium" namespace="Atrium.Policies.Atrium" />\n'
        "  </policyNamespaces>\n"
        '  <resources minRequiredRevision="1.0" />\n'
        "  <supportedOn>\n    <definitions>\n"
        '      <definition name="SUPPORTED_Atrium_0_1" displayName="$(string.SUPPORTED_Atrium_0_1)" />\n'
        "    </definitions>\n  </supportedOn>\n"
        '  <categories>\n    <category name="Atrium" displayName="$(string.Atrium)" />\n  </categories>\n'
        "  <policies>\n" + "".join(policies) + "  </policies>\n</policyDefinitions>\n"
    )


def _presentation(declared: Setting) -> str:
    name, label = declared.name, escape(declared.description)
    if declared.type is int:
        body = f'<decimalTextBox refId="{name}" defaultValue="{declared.default}">{label}</decimalTextBox>'
    elif declared.type is list:
        body = f'<multiTextBox refId="{name}">{label}</multiTextBox>'
    elif declared.choices:
        body = f'<dropdownList refId="{name}" defaultItem="0">{label}</dropdownList>'
    else:
        body = f'<textBox refId="{name}"><label>{label}</label></textBox>'
    return f'      <presentation id="{name}">{body}</presentation>\n'


def adml() -> str:
    strings = [
        '      <string id="Atrium">Atrium</string>\n',
        '      <string id="SUPPORTED_Atrium_0_1">Atrium 0.1 and later</string>\n',
    ]
    for name, declared in SETTINGS.items():
        title = name.replace("_", " ").capitalize()
        default = json.dumps(declared.default)
        help_text = f"{declared.description}\n\nDefault: {default}. Registry value: {name}."
        strings.append(f'      <string id="{name}">{escape(title)}</string>\n')
        strings.append(f'      <string id="{name}_Help">{escape(help_text)}</string>\n')
        for choice in declared.choices or ():
            strings.append(f'      <string id="{name}_{choice}">{escape(choice)}</string>\n')
    presentations = [_presentation(s) for s in SETTINGS.values() if s.type is not bool]
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<policyDefinitionResources xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" revision="1.0" schemaVersion="1.0" '
        'xmlns="http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions">\n'
        "  <displayName>Atrium</displayName>\n"
        f"  <description>{escape('Managed settings for the Atrium desktop.')}</description>\n"
        "  <resources>\n    <stringTable>\n" + "".join(strings) + "    </stringTable>\n"
        "    <presentationTable>\n" + "".join(presentations) + "    </presentationTable>\n"
        "  </resources>\n</policyDefinitionResources>\n"
    )


def managed_plist() -> bytes:
    return plistlib.dumps({name: example(s) for name, s in SETTINGS.items()}, sort_keys=False)


def mobileconfig() -> bytes:
    settings_payload: dict[str, Any] = {
        "PayloadType": DOMAIN,
        "PayloadIdentifier": f"{DOMAIN}.settings",
        "PayloadUUID": str(uuid.uuid5(_NAMESPACE, "settings")).upper(),
        "PayloadVersion": 1,
        "PayloadDisplayName": "Atrium settings",
    }
    settings_payload.update({name: example(s) for name, s in SETTINGS.items()})
    profile = {
        "PayloadContent": [settings_payload],
        "PayloadDisplayName": "Atrium managed settings",
        "PayloadDescription": "Presets the Atrium server and locks the listed Atrium settings. "
        "Remove the keys you do not want to enforce.",
        "PayloadIdentifier": "com.example.atrium.profile",
        "PayloadOrganization": "Example Corp IT",
        "PayloadScope": "System",
        "PayloadType": "Configuration",
        "PayloadUUID": str(uuid.uuid5(_NAMESPACE, "profile")).upper(),
        "PayloadVersion": 1,
    }
    return plistlib.dumps(profile, sort_keys=False)


def templates() -> dict[str, bytes]:
    return {
        "policy.json": policy_json().encode(),
        "atrium-policy.reg": b"\xff\xfe" + reg_file().encode("utf-16-le"),  # regedit's format: UTF-16 LE, BOM
        "admx/Atrium.admx": admx().encode(),
        "admx/en-US/Atrium.adml": adml().encode(),
        f"{DOMAIN}.plist": managed_plist(),
        f"{DOMAIN}.mobileconfig": mobileconfig(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="only check the templates are up to date")
    parser.add_argument("--dir", type=Path, default=HERE, help="where the templates live")
    args = parser.parse_args(argv)
    stale = []
    for relative, content in templates().items():
        target = args.dir / relative
        if target.exists() and target.read_bytes() == content:
            continue
        stale.append(relative)
        if not args.check:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
    if args.check and stale:
        print(f"out of date: {', '.join(stale)} (run {Path(__file__).name})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
