"""The architecture's one-way dependencies: core ← handlers ← bot."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {
    "core": {"aiogram", "maxapi", "handlers", "bot"},
    # The handlers serve both messengers; MAX is known only to its adapter, bot/max.
    "handlers": {"bot", "maxapi"},
}


def imported_top_levels(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_does_not_import_upper_layers(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"{package}/ has no modules"
    offences = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in files
        for name in sorted(imported_top_levels(path) & FORBIDDEN[package])
    ]
    assert offences == []


def test_the_checker_sees_nested_and_dotted_imports(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os\nfrom aiogram.types import Message\n"
        "def f():\n    import bot.cli\n    from handlers import labels\n"
    )
    assert imported_top_levels(sample) == {"os", "aiogram", "bot", "handlers"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_the_access_policy_sits_below_the_services() -> None:
    """``core.access`` judges every service's reads, so it never imports a service: the reader
    and the audit trail it needs live below both (``core.reader``, ``core.audit``)."""
    offences = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / "core" / "access").rglob("*.py"))
        for name in sorted(imported_modules(path))
        if name == "core.services" or name.startswith("core.services.")
    ]
    assert offences == []
    for below in ("reader.py", "audit.py"):
        upward = {
            name
            for name in imported_modules(ROOT / "core" / below)
            if name.startswith(("core.services", "core.access"))
        }
        assert upward == set(), below


def test_only_the_max_adapter_imports_the_max_client() -> None:
    importers = {
        path.relative_to(ROOT).as_posix()
        for package in ("core", "handlers", "bot")
        for path in (ROOT / package).rglob("*.py")
        if "maxapi" in imported_top_levels(path)
    }
    assert importers
    assert {name for name in importers if not name.startswith("bot/max/")} == set()
