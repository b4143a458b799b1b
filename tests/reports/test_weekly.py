from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from triagelab.exceptions import ParameterError
from triagelab.reports.weekly import (
    BREAKDOWNS,
    MIN_EVENTS,
    behaviour_rates,
    check_week_in_data,
    findings,
    findings_markdown,
    flag_events,
    load_period,
    shift_table,
    shifts,
    validate_parameters,
)
from triagelab.scenarios import resolve_scenario
from triagelab.synthetic.build import build_dataset


@pytest.fixture(scope="module")
def drill_mules_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_dataset(resolve_scenario("drill-mules"), tmp_path_factory.mktemp("drill-mules"))


def _by_group(dataset: Path, week_start: str, baseline_weeks: int) -> dict[str, pd.DataFrame]:
    params = validate_parameters(str(dataset), week_start, baseline_weeks, "all")
    tables = load_period(params)
    metrics = flag_events(tables)
    return {by: shifts(behaviour_rates(tables, by, metrics)) for by in BREAKDOWNS}


def _metric_rows(by_group: dict[str, pd.DataFrame], metric: str) -> pd.DataFrame:
    table = pd.concat(by_group.values())
    return table[table["metric"] == metric]


@pytest.mark.slow
@pytest.mark.parametrize(("week_start", "baseline_weeks"), [("2026-04-20", 2), ("2026-04-27", 3)])
def test_sea_week_new_devices_show_no_shift(
    sea_week_build: Path, week_start: str, baseline_weeks: int
) -> None:
    rows = _metric_rows(_by_group(sea_week_build, week_start, baseline_weeks), "new-device logins")
    assert not rows["significant"].any()
    # Without the warm-up the first week read 6.1% and the last 0.3%.
    tested = rows[rows["tested"]]
    assert not tested.empty
    assert (tested["week_rate"] < 0.01).all()
    assert (tested["baseline_rate"] < 0.01).all()


@pytest.mark.slow
def test_drill_mules_new_devices_show_no_shift(drill_mules_build: Path) -> None:
    rows = _metric_rows(_by_group(drill_mules_build, "2026-05-11", 2), "new-device logins")
    assert not rows["significant"].any()


@pytest.mark.slow
def test_sea_week_addresses_comparable(sea_week_build: Path) -> None:
    by_group = _by_group(sea_week_build, "2026-04-27", 3)
    country = by_group["country"]
    rows = country[country["metric"] == "withdrawals to new addresses"]
    week = rows["week_hits"].sum() / rows["week_events"].sum()
    baseline = rows["baseline_hits"].sum() / rows["baseline_events"].sum()
    assert abs(week - baseline) < 0.1


def _table(**overrides: object) -> pd.DataFrame:
    row = {
        "metric": "P2P share of inflows",
        "group": "dormant_holder",
        "week_rate": 5 / 6,
        "baseline_rate": 0.1,
        "week_hits": 5,
        "week_events": 6,
        "baseline_hits": 10,
        "baseline_events": 100,
        "z": 5.0,
        "tested": False,
        "significant": False,
    }
    row.update(overrides)
    return pd.DataFrame([row])


def test_small_group_is_not_tested() -> None:
    rates = pd.DataFrame(
        [
            {"metric": "m", "period": "week", "group": "tiny", "hits": 5, "events": 6},
            {"metric": "m", "period": "baseline", "group": "tiny", "hits": 1, "events": 100},
        ]
    )
    table = shifts(rates)
    assert abs(table.loc[0, "z"]) > 2.58
    assert not table.loc[0, "tested"]
    assert not table.loc[0, "significant"]
    lines = findings(table)
    assert lines[0].startswith("No shift is significant")
    assert f"fewer than {MIN_EVENTS} events" in lines[1]
    assert "tiny m (6 in the week, 100 in the baseline)" in lines[1]


def test_finding_gives_counts() -> None:
    table = _table(week_events=600, week_hits=120, tested=True, significant=True, week_rate=0.2)
    assert findings(table)[0] == (
        "dormant_holder: P2P share of inflows rose to 20.0% (120 of 600) from "
        "10.0% (10 of 100) (z = +5.0)."
    )


def test_findings_headings_follow_blank_line(sea_week_build: Path) -> None:
    params = validate_parameters(str(sea_week_build), "2026-04-20", 1, "all")
    table = _table()
    text = findings_markdown({"country": table, "segment": table}, params)
    assert "\n\n### By segment\n\n" in text
    assert "against 1 baseline week," in text


def test_shift_table_formats_numbers() -> None:
    shown = shift_table({"segment": _table(week_events=0, week_hits=0, z=-0.24)})
    row = shown.iloc[0]
    assert row["reported week"] == "\N{EN DASH}"
    assert row["baseline weeks"] == "10.0% (10/100)"
    assert row["z"] == "not tested"
    assert "baseline_rate" not in shown.columns
    tested = shift_table({"segment": _table(z=-0.24, tested=True)}).iloc[0]
    assert tested["z"] == "-0.24"


FIRST = pd.Timestamp("2026-04-06", tz="UTC")
LAST = pd.Timestamp("2026-05-17", tz="UTC")


def _check(week_start: str, baseline_weeks: int) -> str:
    from triagelab.reports.weekly import WeeklyParameters

    params = WeeklyParameters(Path("."), pd.Timestamp(week_start, tz="UTC"), baseline_weeks, "all")
    with pytest.raises(ParameterError) as raised:
        check_week_in_data(params, FIRST, LAST)
    assert raised.value.field == "week_start"
    return str(raised.value)


def test_week_running_past_end_names_last_start() -> None:
    message = _check("2026-05-13", 1)
    assert "the 7-day week from 2026-05-13 runs past the end of the data" in message
    assert "from 2026-04-13 to 2026-05-11" in message


def test_week_on_first_day_names_earliest_start() -> None:
    message = _check("2026-04-06", 1)
    assert "1 week of baseline before 2026-04-06" in message
    assert "1 weeks" not in message
    assert "use a week_start from 2026-04-13" in message
    assert "fewer baseline weeks" not in message


def test_too_many_baseline_weeks_names_maximum() -> None:
    message = _check("2026-05-11", 6)
    assert "use at most 5 weeks of baseline" in message


def test_week_inside_data_passes() -> None:
    from triagelab.reports.weekly import WeeklyParameters

    params = WeeklyParameters(Path("."), pd.Timestamp("2026-05-11", tz="UTC"), 5, "all")
    check_week_in_data(params, FIRST, LAST)
