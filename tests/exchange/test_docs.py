"""docs/exchange-format.md describes every table, column and header alias of the spec."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.exchange.files import read_path
from core.exchange.spec import TABLES, Table

DOC = Path(__file__).resolve().parents[2] / "docs" / "exchange-format.md"


def sections() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    parts = re.split(r"^### `([a-z_]+)`\n", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def column_rows(section: str) -> dict[str, str]:
    rows = {}
    for line in section.splitlines():
        match = re.match(r"^\| `([a-z_0-9]+)` \|(.*)$", line)
        if match:
            rows[match.group(1)] = match.group(2)
    return rows


def example(section: str) -> str:
    match = re.search(r"```csv\n(.*?)```", section, flags=re.DOTALL)
    assert match, "no example"
    return match.group(1)


def unescape(cell: str) -> str:
    return cell.replace("\\|", "|")


def test_every_table_has_a_section_in_spec_order() -> None:
    assert list(sections()) == [table.name for table in TABLES]


@pytest.mark.parametrize("table", TABLES, ids=[t.name for t in TABLES])
def test_every_column_and_alias_of_a_table_is_described(table: Table) -> None:
    section = sections()[table.name]
    names_line = next(line for line in section.splitlines() if line.startswith("File or sheet"))
    for alias in (table.name, *table.aliases):
        assert f"`{alias}`" in names_line
    rows = column_rows(section)
    assert list(rows) == list(table.column_names)
    for column in table.columns:
        headers = unescape(rows[column.name].split(" | ")[0])
        for alias in column.aliases:
            assert f"`{alias}`" in headers, f"{table.name}.{column.name}: {alias}"
        required = rows[column.name].split(" | ")[2].strip()
        if column.name == "id" and table.natural_key:
            assert required == "no (natural key)"
        else:
            assert required == ("yes" if column.required else "")
    if table.natural_key:
        key = ", ".join(f"`{c}`" for c in table.natural_key)
        assert f"identified by {key}" in section


@pytest.mark.parametrize("table", TABLES, ids=[t.name for t in TABLES])
def test_every_example_reads_as_its_table(table: Table, tmp_path: Path) -> None:
    path = tmp_path / f"{table.name}.csv"
    path.write_text(example(sections()[table.name]), encoding="utf-8")
    sources, problems = read_path(path)
    assert problems == []
    assert [s.table.name for s in sources] == [table.name]
    assert len(sources[0].rows) >= 1


def test_every_column_type_is_explained() -> None:
    text = DOC.read_text(encoding="utf-8")
    formats = text[text.index("## Cell formats") : text.index("## Ids")]
    described = set(re.findall(r"^\| ([^|]+?) \|", formats, flags=re.MULTILINE)) - {"type"}
    used = set()
    for table in TABLES:
        for row in column_rows(sections()[table.name]).values():
            kind = row.split(" | ")[1].strip()
            used.add("reference" if kind.startswith("reference to") else kind)
    lists = {k for k in used if k.startswith("list of `")}
    assert used - lists <= described
    if lists:
        assert "list of references" in described
