from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import VoilaServer
from triagelab.cases import write_bundle
from triagelab.dataset import open_dataset
from triagelab.vocab import ACTION_DESCRIPTIONS, FLAGS

pytestmark = pytest.mark.browser

TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def practice_build(starter_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("practice") / starter_build.name
    shutil.copytree(starter_build, target)
    (target / "roster.csv").write_text("trainee_id,name\namira,Amira Rahman\nbudi,Budi Santoso\n")
    return target


@pytest.fixture(scope="module")
def practice_server(practice_build: Path) -> Iterator[VoilaServer]:
    server = VoilaServer(practice_build, practice_build.parent / "voila.log", "--mode", "practice")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def exam_bundle(starter_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_bundle(starter_build, tmp_path_factory.mktemp("exam"))


@pytest.fixture(scope="module")
def exam_server(exam_bundle: Path) -> Iterator[VoilaServer]:
    log = exam_bundle.parent / "voila.log"
    server = VoilaServer(exam_bundle, log, "--mode", "exam", "--trainee", "chai")
    server.start()
    yield server
    server.stop()


def _open_signed_in(browser: Any, url: str, trainee: str) -> Any:
    page = browser.new_page()
    page.goto(url, timeout=TIMEOUT_MS)
    page.wait_for_selector(".triagelab-trainee select", timeout=TIMEOUT_MS)
    # ipywidgets option values are indices; the option text is the label.
    names = {"amira": "Amira Rahman", "budi": "Budi Santoso"}
    page.select_option(".triagelab-trainee select", label=f"{names[trainee]} ({trainee})")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector(".triagelab-profile", timeout=TIMEOUT_MS)
    return page


def _case_on_screen(page: Any) -> str:
    return str(page.get_attribute(".triagelab-profile", "data-case"))


def _wait_for_case(page: Any, case_id: str) -> None:
    """Wait until the case view shows `case_id`: its profile card and its own timeline."""
    page.wait_for_selector(
        f".triagelab-case[data-case='{case_id}'] .triagelab-profile[data-case='{case_id}']",
        timeout=TIMEOUT_MS,
    )
    page.wait_for_selector(
        f".triagelab-case[data-case='{case_id}'] table.timeline", timeout=TIMEOUT_MS
    )


def _case_order(build: Path) -> list[str]:
    return list(open_dataset(build).cases()["case_id"])


def _submission(build: Path, trainee: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((build / "submissions" / f"{trainee}.json").read_text())
    return data


def test_sign_in_and_triage_three_cases(
    browser: Any, practice_server: VoilaServer, practice_build: Path
) -> None:
    labels = open_dataset(practice_build).labels().set_index("case_id")
    order = _case_order(practice_build)
    page = _open_signed_in(browser, practice_server.url, "amira")
    expect(page.locator(".triagelab-header")).to_contain_text("Case queue of amira")
    for index in range(3):
        case_id = order[index]
        _wait_for_case(page, case_id)
        key = labels.loc[case_id]
        assert key["explanation"] not in page.content()
        assert page.locator(".triagelab-case").count() == 1
        assert page.locator("tr.evidence").count() == 0
        expect(page.locator(".triagelab-case-header")).to_contain_text("events up to")
        page.get_by_label("New device").check()
        page.select_option(
            ".triagelab-action select", label=f"monitor - {ACTION_DESCRIPTIONS['monitor']}"
        )
        page.fill(".triagelab-rationale input", f"reason {index}")
        page.get_by_role("button", name="Save decision").click()
        page.wait_for_selector(f".triagelab-saved:has-text('{case_id}')", timeout=TIMEOUT_MS)
        # The feedback arrives in widget messages after the "Saved" status.
        feedback = page.locator(".triagelab-feedback")
        expect(feedback).to_contain_text("Flags missed", timeout=TIMEOUT_MS)
        expect(feedback).to_contain_text(f"expected {key['expected_action']}")
        if len(key["evidence_event_ids"]):
            expect(page.locator("tr.evidence").first).to_be_visible(timeout=TIMEOUT_MS)
        page.get_by_role("button", name="Next").click()
    _wait_for_case(page, order[3])
    expect(page.locator(".triagelab-header")).to_contain_text("3 of 15 decided")
    assert page.locator(".triagelab-error").count() == 0
    decisions = _submission(practice_build, "amira")["decisions"]
    assert [d["case_id"] for d in decisions] == order[:3]
    assert [d["rationale"] for d in decisions] == ["reason 0", "reason 1", "reason 2"]
    assert all(d["action"] == "monitor" and d["flags"] == ["new_device"] for d in decisions)
    page.close()


def test_page_requests_only_the_server(browser: Any, practice_server: VoilaServer) -> None:
    page = browser.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(practice_server.url, timeout=TIMEOUT_MS)
    page.wait_for_selector(".triagelab-trainee select", timeout=TIMEOUT_MS)
    page.select_option(".triagelab-trainee select", label="Budi Santoso (budi)")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector(".triagelab-profile", timeout=TIMEOUT_MS)
    _chart_shown(page, None)
    page.close()
    # Widget images are blob: URLs and inline pictures data: URLs; neither leaves the page.
    remote = [url for url in requested if urlsplit(url).scheme not in ("blob", "data")]
    assert remote
    other_hosts = [url for url in remote if urlsplit(url).hostname != "127.0.0.1"]
    assert other_hosts == []


def test_flag_labels_fit_without_overlap(browser: Any, practice_server: VoilaServer) -> None:
    page = _open_signed_in(browser, practice_server.url, "budi")
    boxes = page.locator(".triagelab-flags .widget-checkbox")
    expect(boxes).to_have_count(len(FLAGS), timeout=TIMEOUT_MS)
    # ipywidgets cuts a long description with an ellipsis: the label's content is then
    # wider than the label, and the title's span reaches past the label's right edge.
    cut = page.evaluate(
        "() => [...document.querySelectorAll('.triagelab-flags .widget-label-basic,"
        " .triagelab-confidence .widget-label')]"
        ".filter(e => e.scrollWidth > e.clientWidth).map(e => e.textContent)"
    )
    assert cut == []
    titles = page.evaluate(
        "() => [...document.querySelectorAll('.triagelab-flags .widget-label-basic')].map(e => {"
        " const box = e.getBoundingClientRect();"
        " const text = e.querySelector('span').getBoundingClientRect();"
        " return {x: text.x, y: text.y, width: text.width, height: text.height,"
        " inside: text.right <= box.right + 0.5}; })"
    )
    assert len(titles) == len(FLAGS)
    assert [title["inside"] for title in titles] == [True] * len(FLAGS)
    checkboxes = [boxes.nth(i).bounding_box() for i in range(len(FLAGS))]
    for index, box in enumerate(checkboxes):
        assert box is not None
        for other in checkboxes[index + 1 :]:
            assert _apart(box, other), f"flag checkboxes overlap: {box} and {other}"
        for other_index, title in enumerate(titles):
            if other_index != index:
                assert _apart(box, title), f"a flag title covers a checkbox: {title} and {box}"
    page.close()


def _apart(first: dict[str, float], second: dict[str, float]) -> bool:
    """Return True if two page rectangles do not overlap; touching edges are apart."""
    return (
        first["x"] + first["width"] <= second["x"] + 0.5
        or second["x"] + second["width"] <= first["x"] + 0.5
        or first["y"] + first["height"] <= second["y"] + 0.5
        or second["y"] + second["height"] <= first["y"] + 0.5
    )


def test_reload_resumes_after_decided_cases(
    browser: Any, practice_server: VoilaServer, practice_build: Path
) -> None:
    order = _case_order(practice_build)
    page = _open_signed_in(browser, practice_server.url, "amira")
    _wait_for_case(page, order[3])
    expect(page.locator(".triagelab-header")).to_contain_text("3 of 15 decided")
    page.get_by_role("button", name="Previous").click()
    _wait_for_case(page, order[2])
    expect(page.locator(".triagelab-status")).to_contain_text("Decided earlier")
    expect(page.locator(".triagelab-rationale input")).to_have_value("reason 2")
    expect(page.locator(".triagelab-feedback")).to_contain_text("Flags missed")
    page.close()


def test_queue_moves_with_arrow_keys(
    browser: Any, practice_server: VoilaServer, practice_build: Path
) -> None:
    order = _case_order(practice_build)
    page = _open_signed_in(browser, practice_server.url, "budi")
    _wait_for_case(page, order[0])
    page.focus(".triagelab-queue select")
    page.keyboard.press("ArrowDown")
    _wait_for_case(page, order[1])
    # The queue is redrawn after the case view; a key pressed during the redraw can be
    # lost, as it would be for a person typing that fast.
    expect(page.locator(".triagelab-queue option").nth(1)).to_contain_text("(opened)")
    page.focus(".triagelab-queue select")
    page.keyboard.press("ArrowUp")
    _wait_for_case(page, order[0])
    page.close()


def test_killed_server_loses_no_decision(
    browser: Any, practice_server: VoilaServer, practice_build: Path
) -> None:
    order = _case_order(practice_build)
    before = _submission(practice_build, "amira")
    practice_server.kill()
    practice_server.start()
    assert _submission(practice_build, "amira") == before
    page = _open_signed_in(browser, practice_server.url, "amira")
    _wait_for_case(page, order[3])
    expect(page.locator(".triagelab-header")).to_contain_text("3 of 15 decided")
    page.close()


def test_exam_shows_nothing_of_the_key(
    browser: Any, exam_server: VoilaServer, exam_bundle: Path, starter_build: Path
) -> None:
    labels = open_dataset(starter_build).labels()
    assert not (exam_bundle / "key").exists()
    page = browser.new_page()
    page.goto(exam_server.url, timeout=TIMEOUT_MS)
    page.wait_for_selector(".triagelab-profile", timeout=TIMEOUT_MS)
    for _ in range(2):
        page.get_by_role("button", name="Save decision").click()
        page.wait_for_selector(".triagelab-saved", timeout=TIMEOUT_MS)
        page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Hand in exam").click()
    expect(page.locator(".triagelab-confirm")).to_contain_text(
        "13 cases are undecided", timeout=TIMEOUT_MS
    )
    assert _submission(exam_bundle, "chai")["submitted"] is False
    page.get_by_role("button", name="Confirm hand-in: 2 of 15 decided").click()
    expect(page.locator(".triagelab-handed-in")).to_contain_text(
        "Handed in: 2 of 15", timeout=TIMEOUT_MS
    )
    content = page.content()
    for text in ("Flags missed", "expected", "What happened"):
        assert text not in content
    for row in labels.itertuples():
        assert row.explanation not in content
        assert f">{row.typology}<" not in content
    assert page.locator("tr.evidence").count() == 0
    assert page.locator(".triagelab-error").count() == 0
    saved = _submission(exam_bundle, "chai")
    assert saved["submitted"] is True
    assert len(saved["decisions"]) == 2
    assert isinstance(pd.Timestamp(saved["decisions"][0]["decided_at"]), pd.Timestamp)
    page.close()


# Voila starts the next kernel about a second after a page takes one, and that kernel runs
# the notebook up to the page request within a few seconds; this leaves ample time.
PREHEAT_SETTLE_S = 20


@pytest.fixture(scope="module")
def preset_build(starter_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("preset") / starter_build.name
    shutil.copytree(starter_build, target)
    return target


def _chart_shown(page: Any, before: str | None) -> None:
    page.wait_for_function(
        "s => { const c = document.querySelector('.triagelab-chart');"
        " const src = c.getAttribute('src') || '';"
        " return src !== s && src.startsWith('blob:')"
        " && !c.classList.contains('triagelab-chart-pending'); }",
        arg=before,
        timeout=TIMEOUT_MS,
    )


def test_preheated_kernel_reads_decisions_at_request(browser: Any, preset_build: Path) -> None:
    labels = open_dataset(preset_build).labels().set_index("case_id")
    order = _case_order(preset_build)
    server = VoilaServer(
        preset_build, preset_build.parent / "voila.log", "--mode", "practice", "--trainee", "amira"
    )
    server.start()
    try:
        first = browser.new_page()
        first.goto(server.url, timeout=TIMEOUT_MS)
        _wait_for_case(first, order[0])
        _chart_shown(first, None)
        # The kernel that serves the next page is started and preheated meanwhile, so it
        # runs the notebook before the decision below is saved.
        time.sleep(PREHEAT_SETTLE_S)
        first.get_by_role("button", name="Next").click()
        _wait_for_case(first, order[1])
        first.get_by_role("button", name="Previous").click()
        _wait_for_case(first, order[0])
        plain = first.get_attribute(".triagelab-chart", "src")
        first.get_by_role("button", name="Save decision").click()
        first.wait_for_selector(f".triagelab-saved:has-text('{order[0]}')", timeout=TIMEOUT_MS)
        expect(first.locator(".triagelab-feedback")).to_contain_text("Flags missed")
        if len(labels.loc[order[0], "evidence_event_ids"]):
            # Feedback redraws the chart with the evidence events marked.
            _chart_shown(first, plain)
        first.close()

        second = browser.new_page()
        second.goto(server.url, timeout=TIMEOUT_MS)
        _wait_for_case(second, order[1])
        expect(second.locator(".triagelab-header")).to_contain_text("1 of 15 decided")
        options = second.locator(".triagelab-queue option")
        expect(options.nth(0)).to_contain_text("(decided)")
        expect(options.nth(1)).to_contain_text("(opened)")
        expect(options.nth(2)).to_contain_text("(new)")
        _chart_shown(second, None)
        assert second.locator(".triagelab-error").count() == 0
        second.close()
    finally:
        server.stop()
    assert (preset_build / "submissions" / "amira.opened").is_file()
