from __future__ import annotations

from pathlib import Path

import pytest

from triagelab.cli import main
from triagelab.exceptions import ParameterError
from triagelab.reports.runner import batch_stem, expand_batch


def test_batch_expands_every_combination() -> None:
    sets = expand_batch({"country": "SG,MY", "baseline_weeks": "1,2"})
    assert sets == [
        {"country": "SG", "baseline_weeks": "1"},
        {"country": "SG", "baseline_weeks": "2"},
        {"country": "MY", "baseline_weeks": "1"},
        {"country": "MY", "baseline_weeks": "2"},
    ]


def test_batch_without_values_is_rejected() -> None:
    with pytest.raises(ParameterError, match="batch parameter `country`"):
        expand_batch({"country": " , "})


def test_batch_stem_is_a_safe_file_name() -> None:
    assert batch_stem("weekly", {"dataset": "a/b c", "country": "SG"}) == (
        "weekly__dataset-a_b_c__country-SG"
    )


@pytest.mark.notebook
@pytest.mark.slow
def test_batch_writes_one_html_each_and_index(
    starter_build: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "-q",
            "report",
            "weekly_behavior_shifts",
            "-p",
            "dataset",
            str(starter_build),
            "-p",
            "week_start",
            "2026-03-09",
            "-p",
            "baseline_weeks",
            "1",
            "-b",
            "country=SG,MY,TH",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    index = tmp_path / "index.html"
    assert capsys.readouterr().out.strip() == str(index)
    pages = sorted(tmp_path.glob("*.html"))
    assert len(pages) == 4
    text = index.read_text(encoding="utf-8")
    for country in ("SG", "MY", "TH"):
        name = f"weekly_behavior_shifts__country-{country}.html"
        assert (tmp_path / name).is_file()
        assert f'href="{name}"' in text
    assert "<title>Weekly behavior shifts: 3 reports</title>" in text
    assert f"<th>dataset</th><td>{starter_build}</td>" in text
    assert "<th>week_start</th><td>2026-03-09</td>" in text
    assert "<style>" in text
    assert "http" not in text


def test_index_page_lists_shared_parameters(tmp_path: Path) -> None:
    from triagelab.reports.runner import write_index

    page = write_index(
        "support_kpis",
        [({"country": "SG"}, tmp_path / "a.html"), ({"country": "MY"}, tmp_path / "b.html")],
        tmp_path / "index.html",
        {"split_date": "2026-04-20"},
    ).read_text(encoding="utf-8")
    assert "<h1>Support kpis: 2 reports</h1>" in page
    assert "<th>split_date</th><td>2026-04-20</td>" in page
    assert '<td>MY</td><td><a href="b.html">b.html</a></td>' in page
    assert "<style>" in page


def test_batch_unknown_parameter_fails_before_running(
    starter_build: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "-q",
            "report",
            "weekly_behavior_shifts",
            "-p",
            "dataset",
            str(starter_build),
            "-b",
            "region",
            "north,south",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 2
    assert "`region` is not declared" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.html"))
