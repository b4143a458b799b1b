"""Tests for the typology catalogue and the stories it injects."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from triagelab.alerts.detect import Tables, dormant_reactivation
from triagelab.alerts.rules import load_rules
from triagelab.cli import main
from triagelab.exceptions import ScenarioError
from triagelab.scenarios import load_scenario, resolve_scenario
from triagelab.synthetic.engine import window_of
from triagelab.synthetic.facts import structuring_threshold
from triagelab.synthetic.market import story_market
from triagelab.synthetic.population import generate_population
from triagelab.synthetic.rng import make_rng
from triagelab.synthetic.typologies import TYPOLOGIES, StoryContext
from triagelab.vocab import (
    ACTIONS,
    FATF_CATEGORIES,
    FLAG_NAMES,
    FLAGS,
    FLAGS_BY_NAME,
    PRIORITIES,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "scenarios"
SUSPICIOUS = {name: t for name, t in TYPOLOGIES.items() if t.kind == "suspicious"}
BENIGN = {name: t for name, t in TYPOLOGIES.items() if t.kind == "benign"}


def test_catalogue_counts():
    assert len(SUSPICIOUS) >= 12
    assert len(BENIGN) >= 8


@pytest.mark.parametrize("name", sorted(TYPOLOGIES))
def test_catalogue_entry_complete(name):
    typology = TYPOLOGIES[name]
    assert typology.title and typology.summary
    assert typology.flags, "a typology without flags teaches nothing"
    assert set(typology.flags) <= set(FLAG_NAMES)
    assert typology.expected_action in ACTIONS
    assert typology.expected_priority in PRIORITIES
    assert typology.fatf_categories
    assert set(typology.fatf_categories) <= set(FATF_CATEGORIES)
    if typology.kind == "benign":
        assert typology.expected_action == "close"


def test_catalogue_covers_fatf_categories():
    covered = {category for t in TYPOLOGIES.values() for category in t.fatf_categories}
    assert covered == set(FATF_CATEGORIES)


@pytest.mark.parametrize("name", sorted(BENIGN))
def test_benign_shares_two_flags(name):
    flags = set(BENIGN[name].flags)
    best = max(len(flags & set(t.flags)) for t in SUSPICIOUS.values())
    assert best >= 2


@pytest.mark.parametrize("name", sorted(BENIGN))
def test_look_alike_of_names_suspicious(name):
    typology = BENIGN[name]
    assert typology.look_alike_of
    for other in typology.look_alike_of:
        assert other in SUSPICIOUS
        assert len(set(typology.flags) & set(SUSPICIOUS[other].flags)) >= 1


def test_flags_have_definitions():
    for flag in FLAGS:
        assert flag.title and flag.definition and flag.window and flag.threshold
        assert flag.fatf_category in FATF_CATEGORIES


def _context(name: str, subtlety: float, seed: int) -> StoryContext:
    scenario = resolve_scenario("sea-week")
    window = window_of(scenario)
    typology = TYPOLOGIES[name]
    segment = typology.segments[0] if typology.segments else "mobile_daily"
    countries = np.array(["TH", "PH", "MY", "SG", "VN", "ID"] * 5, dtype=object)
    population = generate_population(
        rng=make_rng(seed, "population-test"),
        seed=seed,
        shard=0,
        first_row=0,
        countries=countries,
        segments=np.full(len(countries), segment, dtype=object),
        start=pd.Timestamp(window.start, unit="s", tz="UTC"),
    )
    row = seed % len(countries)
    return StoryContext(
        rng=make_rng(seed, "story-test", name),
        population=population,
        row=row,
        window=window,
        subtlety=subtlety,
        anchor=window.start + 18 * 86_400 + seed * 977 % 86_400,
        structuring_threshold=structuring_threshold(str(countries[row])),
        case_rows=frozenset({row}),
        **story_market(scenario),
    )


@pytest.mark.parametrize("name", sorted(TYPOLOGIES))
def test_story_produces_evidence(name):
    for seed, subtlety in ((1, 0.0), (2, 0.5), (3, 1.0)):
        ctx = _context(name, subtlety, seed)
        story = TYPOLOGIES[name].inject(ctx)
        auth, transactions, tickets = story.frames()
        evidence = sum(int(frame["evidence"].sum()) for frame in (auth, transactions, tickets))
        assert evidence >= 1, f"{name} at subtlety {subtlety} left no evidence"
        assert set(story.flags) <= set(TYPOLOGIES[name].flags)
        assert story.explanation
        for frame in (auth, transactions, tickets):
            ts = frame["ts"].to_numpy()
            assert ((ts >= ctx.window.start) & (ts < ctx.window.end)).all()


def test_story_evidence_belongs_to_customer():
    ctx = _context("multi_account_device", 0.0, 4)
    auth, _, _ = TYPOLOGIES["multi_account_device"].inject(ctx).frames()
    evidence_owners = set(auth.loc[auth["evidence"], "customer_id"])
    assert evidence_owners == {ctx.customer_id}
    assert auth["customer_id"].nunique() >= 3
    assert auth["device_id"].nunique() == 1


def test_shared_rows_avoid_case_customers():
    ctx = _context("multi_account_device", 0.0, 6)
    free = {0, 7, 11, 20}
    ctx.case_rows = frozenset(set(range(len(ctx.population.customers))) - free)
    auth, _, _ = TYPOLOGIES["multi_account_device"].inject(ctx).frames()
    ids = ctx.population.customers["customer_id"]
    allowed = {str(ids.iat[i]) for i in free} | {ctx.customer_id}
    assert set(auth["customer_id"]) <= allowed


def test_address_poisoning_uses_lookalike():
    ctx = _context("address_poisoning_victim", 0.0, 5)
    _, transactions, _ = TYPOLOGIES["address_poisoning_victim"].inject(ctx).frames()
    known = str(ctx.population.wallets[ctx.row])
    others = set(transactions["counterparty"]) - {known}
    assert len(others) == 1
    lookalike = others.pop()
    assert lookalike[:6] == known[:6]
    assert lookalike[-3:] == known[-3:]
    dust = transactions[transactions["tx_type"] == "crypto_deposit"]
    assert (dust["counterparty"] == lookalike).all()


def test_typologies_json_complete(capsys):
    assert main(["typologies", "--json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert {entry["name"] for entry in entries} == set(TYPOLOGIES)
    for entry in entries:
        for key in ("kind", "title", "flags", "expected_action", "expected_priority", "summary"):
            assert entry[key], f"{entry['name']} has an empty `{key}`"
        assert entry["fatf_categories"]
        assert entry["subtlety"]


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("congestion_without_window.yaml", "needs a congestion window"),
        ("segment_without_share.yaml", "dormant_holder"),
    ],
)
def test_infeasible_scenario_rejected(fixture, expected):
    with pytest.raises(ScenarioError, match=expected):
        load_scenario(FIXTURES / fixture)


def test_infeasible_scenario_exit_code(capsys):
    code = main(["scenarios", "validate", str(FIXTURES / "congestion_without_window.yaml")])
    assert code == 2
    assert "congestion window" in capsys.readouterr().err


def test_high_risk_labels_trip_default_rule():
    rule = next(r for r in load_rules().rules if r.flag == "high_risk_counterparty")
    counted = set(rule.options["labels"])
    definition = FLAGS_BY_NAME["high_risk_counterparty"].threshold
    for seed in range(1, 25):
        ctx = _context("high_risk_exposure", 0.0, seed)
        _, transactions, _ = TYPOLOGIES["high_risk_exposure"].inject(ctx).frames()
        labels = set(transactions["counterparty_label"].dropna())
        assert labels, f"seed {seed}: no labelled counterparty"
        assert labels <= counted, f"seed {seed}: {labels - counted} not counted by the rule"
        for label in labels:
            assert label in definition, f"{label} missing from the flag definition"


def test_escalating_deposits_wording_agrees():
    flag = FLAGS_BY_NAME["escalating_deposits_one_address"]
    assert "deposits" in flag.title.casefold()
    assert "deposit" in flag.definition.casefold()
    assert "withdrawals" in flag.threshold


def _dormant_alert_tables(with_last_login: bool, seed: int) -> tuple[Tables, StoryContext]:
    """Inject a dormant takeover and shape its customer and logins as detectors read them."""
    ctx = _context("dormant_takeover", 0.4, seed)
    customers = ctx.population.customers
    if with_last_login:
        # The column as the population writes it: dormant holders 90-400 days back.
        customers["last_login_at"] = pd.Timestamp(
            ctx.window.start - 200 * 86_400, unit="s", tz="UTC"
        )
    story = TYPOLOGIES["dormant_takeover"].inject(ctx)
    for column, value in story.customer_updates.items():
        customers.loc[customers.index[ctx.row], column] = value
    auth, _, _ = story.frames()
    auth = auth.assign(
        event_id=[f"A{i:04d}" for i in range(len(auth))],
        ts=pd.to_datetime(auth["ts"], unit="s", utc=True),
    )
    empty = pd.DataFrame({"customer_id": [], "ts": [], "event_id": [], "message": []})
    tables = Tables(customers=customers, auth_events=auth, transactions=empty, tickets=empty)
    return tables, ctx


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_dormant_takeover_trips_reactivation(seed):
    rule = next(r for r in load_rules().rules if r.flag == "dormant_reactivation")
    tables, ctx = _dormant_alert_tables(True, seed)
    last_login = tables.customers["last_login_at"].iloc[ctx.row]
    assert last_login <= pd.Timestamp(ctx.window.start - 90 * 86_400, unit="s", tz="UTC")
    assert last_login > tables.customers["signup_at"].iloc[ctx.row]
    hits = dormant_reactivation(tables, rule)
    first_login = tables.auth_events.sort_values("ts").iloc[0]
    assert list(hits["customer_id"]) == [ctx.customer_id]
    assert hits["event_ids"].iloc[0] == [first_login["event_id"]]
