"""atrium.cache imports only the stdlib, sqlite-utils and orjson: no Qt, no app, no server."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import atrium.cache

ALLOWED_THIRD_PARTY = {"orjson", "sqlite_utils"}


def test_the_cache_package_imports_nothing_else() -> None:
    package = Path(atrium.cache.__file__).parent
    offenders = []
    for module in sorted(package.glob("*.py")):
        for node in ast.walk(ast.parse(module.read_text(), str(module))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top not in ALLOWED_THIRD_PARTY:
                    offenders.append(f"{module.name}: {name}")
    assert offenders == []
