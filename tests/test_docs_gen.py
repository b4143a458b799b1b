"""Tests for the generated data dictionary."""

from __future__ import annotations

from pathlib import Path

from triagelab.cli import main
from triagelab.docs_gen import render_data_dictionary, render_typologies
from triagelab.schema import TABLES, allowed_values

DICTIONARY = Path(__file__).resolve().parents[1] / "docs" / "data-dictionary.md"


def test_committed_dictionary_matches_schema():
    assert DICTIONARY.read_text(encoding="utf-8") == render_data_dictionary(), (
        "docs/data-dictionary.md is stale: run `triagelab dictionary --out docs/data-dictionary.md`"
    )


def test_dictionary_lists_every_column():
    text = render_data_dictionary()
    for table, schema in TABLES.items():
        assert f"## {table}" in text
        for column in schema.columns:
            assert f"| `{column}` |" in text


def test_every_column_has_description():
    for schema in TABLES.values():
        for name, column in schema.columns.items():
            assert column.description, f"`{name}` has no description"


def test_dictionary_command_writes_file(tmp_path, capsys):
    target = tmp_path / "dictionary.md"
    assert main(["dictionary", "--out", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == render_data_dictionary()


def test_committed_typologies_match_catalogue():
    committed = (DICTIONARY.parent / "typologies.md").read_text(encoding="utf-8")
    assert committed == render_typologies(), (
        "docs/typologies.md is stale: run "
        "`triagelab dictionary --typologies --out docs/typologies.md`"
    )


def test_dictionary_lists_allowed_values():
    text = render_data_dictionary()
    for table, column in (
        ("transactions", "tx_type"),
        ("transactions", "status"),
        ("transactions", "counterparty_label"),
        ("auth_events", "event_type"),
        ("tickets", "category"),
        ("tickets", "channel"),
        ("tickets", "language"),
        ("customers", "segment"),
    ):
        allowed = allowed_values(TABLES[table].columns[column])
        assert allowed, f"{table}.{column} has no isin check"
        line = next(row for row in text.splitlines() if row.startswith(f"| `{column}` |"))
        for value in allowed:
            assert f"`{value}`" in line, f"{table}.{column}: `{value}` not listed"
