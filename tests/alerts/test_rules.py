from __future__ import annotations

import pytest

from triagelab.alerts.rules import DEFAULT_RULES, RulesError, load_rules
from triagelab.cli import main
from triagelab.vocab import FLAG_NAMES

from ..conftest import FIXTURES

RULES = FIXTURES / "rules"


def test_default_rules_cover_every_flag() -> None:
    rules = load_rules()
    assert {rule.flag for rule in rules.rules} == set(FLAG_NAMES)
    assert rules.agents >= 1
    assert all(rule.weight >= 0 for rule in rules.rules)


def test_default_rules_path_is_bundled() -> None:
    assert DEFAULT_RULES.is_file()
    assert DEFAULT_RULES.parent.name == "rules"


@pytest.mark.parametrize(
    ("name", "field", "words"),
    [
        ("unknown_flag.yaml", "rules.0.flag", "unknown flag"),
        ("bad_window.yaml", "rules.0.window", "not a duration"),
        ("duplicate_id.yaml", "", "repeated: burst"),
    ],
)
def test_bad_rule_files_name_the_field(name: str, field: str, words: str) -> None:
    with pytest.raises(RulesError, match=words) as raised:
        load_rules(RULES / name)
    assert raised.value.path == RULES / name
    if field:
        assert raised.value.field == field
    assert "\n" not in str(raised.value)


def test_missing_rule_file_exits_2(starter_build, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["alerts", "evaluate", str(starter_build), "--rules", "no/such/rules.yaml"])
    assert code == 2
    err = capsys.readouterr().err
    assert "rules.yaml" in err
    assert "not found" in err


def test_priority_follows_cutoffs() -> None:
    rules = load_rules()
    cutoffs = rules.priorities
    assert rules.priority(cutoffs["P1"]) == "P1"
    assert rules.priority(cutoffs["P2"]) == "P2"
    assert rules.priority(cutoffs["P3"] - 0.01) == "P4"
