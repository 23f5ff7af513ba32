"""index.html as a person sees it: real headless Chromium at a desk (1400×900) and on a phone (390×844).

Layout assertions (headers stay visible after a scroll, the first failure is on screen after one click,
nothing overflows sideways at phone width, a deep link opens its result on load, filters and search
narrow the page, the shape view has a table of contents and an "only where gateways differ" switch).
Every test saves a screenshot to ``$KC_SCREENSHOT_DIR/kc-html-screenshots/`` (default: the temp dir),
kept as test artifacts.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_cdp import BROWSER, Page, PipeCDP, open_report
from report_samples import build_report, result

from conformance.models import Outcome
from conformance.reports import write_reports
from conformance.runmodel import Observation, RunReport

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(BROWSER is None, reason="no headless Chromium on PATH (Debian: apt-get install -y chromium)"),
]

#: (name, width, height, mobile) of the two windows the issue asks for.
VIEWPORTS = [("desk", 1400, 900, False), ("phone", 390, 844, True)]
SCREENSHOTS = Path(os.environ.get("KC_SCREENSHOT_DIR") or tempfile.gettempdir()) / "kc-html-screenshots"
SEP = "\u241f"


def tall_report() -> RunReport:
    """The sample report plus 40 more checks (the matrix outgrows the window) and 25 passes listed before
    the one failure of ``yibuapi · optional_param_accepted`` (they used to push it out of sight)."""
    report = build_report()
    gateways = report.meta.gateways
    for i in range(40):
        for gateway in gateways:
            report.results.append(result(gateway, f"extra_check_{i:02d}", Outcome.PASS, area="queries"))
    passes = [
        result(
            "yibuapi",
            "optional_param_accepted",
            Outcome.PASS,
            area="request-acceptance",
            operation="image2video.create",
            subject=f"image2video.create.param.p{i:02d}",
            message="accepted " * 30,
        )
        for i in range(25)
    ]
    first = next(i for i, r in enumerate(report.results) if r.check == "optional_param_accepted")
    report.results[first:first] = passes
    for gateway in gateways:  # an aspect every gateway agrees on: hidden by "only where gateways differ"
        evidence = report.results[0].evidence
        report.observations.append(
            Observation(
                gateway=gateway, operation="image2video.get", key="timestamp_unit", value="ms", evidence=evidence
            )
        )
    return report


@pytest.fixture(params=VIEWPORTS, ids=[v[0] for v in VIEWPORTS])
def window(request: pytest.FixtureRequest, browser: PipeCDP, tmp_path: Path) -> Iterator[tuple[Page, str, str]]:
    """(tab sized to the viewport with the tall report open, its URL, the viewport name)."""
    name, width, height, mobile = request.param
    run_dir = write_reports(tall_report(), tmp_path / "reports", formats=["html"])
    page = Page(browser)
    page.viewport(width, height, mobile)
    url = (run_dir / "index.html").as_uri()
    open_report(page, url)
    yield page, url, name
    page.close()


def shot(page: Page, test: str, viewport: str) -> None:
    """Keep what the window shows as a test artifact."""
    page.screenshot(SCREENSHOTS / f"{test}-{viewport}.png")


def visible(page: Page, selector: str) -> bool:
    """The first element matching ``selector`` is on screen and not covered by anything else."""
    return bool(
        page.js(
            f"(() => {{ const e = document.querySelector({selector!r}); if (!e) return false;"
            " const r = e.getBoundingClientRect(); if (r.width === 0 || r.height === 0) return false;"
            " const x = Math.min(Math.max(r.left + 8, 0), innerWidth - 1);"
            " const y = Math.min(Math.max(r.top + 8, 0), innerHeight - 1);"
            " const hit = document.elementFromPoint(x, y);"
            " return r.top >= -1 && r.top < innerHeight && r.left >= -1 && r.left < innerWidth"
            " && !!hit && e.contains(hit); })()"
        )
    )


def test_failures_come_first_with_totals_and_an_svg_bar_per_gateway(window: tuple[Page, str, str]) -> None:
    page, _, name = window
    shot(page, "overview", name)
    tops = page.js(
        "['overview', 'failures', 'matrix-section', 'shapes'].map(id => document.getElementById(id).offsetTop)"
    )
    assert tops == sorted(tops)
    rows = page.js(
        "[...document.querySelectorAll('#totals tbody tr')].map(tr => [...tr.children].map(c => c.textContent))"
    )
    assert rows[0] == [
        "newapi",
        "4",
        "1",
        "0",
        "43",
        "0",
        "48",
    ]  # most failures first: fail, error, waived, pass, skipped
    assert rows[-1][0] == "kling-official" and rows[-1][1:3] == ["0", "0"]
    widths = page.js(
        "[...document.querySelectorAll('#outcome-bars g.bar')].map(g => [g.dataset.gateway,"
        " [...g.querySelectorAll('rect')].reduce((s, r) => s + r.width.baseVal.value, 0)])"
    )
    assert [w[0] for w in widths] == [r[0] for r in rows] and all(abs(w[1] - 400) < 0.1 for w in widths)
    fail_bar = page.js("document.querySelector('#outcome-bars g[data-gateway=newapi] rect.s-fail').width.baseVal.value")
    assert abs(fail_bar - 400 * 4 / 48) < 0.1
    items = page.js("[...document.querySelectorAll('#failure-list li')].map(li => li.dataset.outcome)")
    assert items == ["fail"] * 6 + ["error"] * 2


def test_headers_stay_visible_after_a_scroll(window: tuple[Page, str, str]) -> None:
    page, _, name = window
    page.js("document.getElementById('matrix-box').scrollIntoView()")
    page.js(
        "const b = document.getElementById('matrix-box'); b.scrollTop = b.scrollHeight; b.scrollLeft = b.scrollWidth"
    )
    assert page.js("document.getElementById('matrix-box').scrollTop") > 300  # the matrix did scroll...
    assert visible(page, "#matrix thead th[data-gateway=n1n]")  # ...and the gateway headers stayed in view
    last_check = "#matrix tbody tr[data-check=extra_check_39] th.check"
    assert visible(page, last_check)  # the check names stay at the left even when scrolled sideways
    if name == "phone":
        assert page.js("document.getElementById('matrix-box').scrollLeft") > 0
    shot(page, "sticky-headers", name)


def test_first_failure_is_visible_after_one_click(window: tuple[Page, str, str]) -> None:
    page, _, name = window
    page.click(f'button.cell[data-key="yibuapi{SEP}optional_param_accepted"]')
    page.wait_for("!document.getElementById('details').hidden")
    assert visible(page, "#details .result.o-fail h3")
    heading = page.js("document.querySelector('#details .result h3').textContent")
    assert heading.endswith("FAIL · image2video.create.param.sound")
    fold = page.js(
        "(() => { const d = document.querySelector('#details details.passes');"
        " return [d.open, d.querySelector('summary').textContent]; })()"
    )
    assert fold == [False, "26 pass"]  # passes collapsed (the sample's own pass plus the 25 added)
    assert page.js("document.querySelectorAll('#details .result').length") == 1  # not even rendered yet
    shot(page, "after-cell-click", name)
    page.click("#details-close")
    page.click("#failure-list li a.deep")  # one click on the first listed failure
    page.wait_for("!document.getElementById('details').hidden")
    assert page.js("location.hash") == "#newapi/auth_missing_key_rejected/auth.missing-key"
    assert visible(page, "#details .result.target h3")
    shot(page, "after-failure-click", name)


@pytest.mark.parametrize("window", [VIEWPORTS[1]], ids=["phone"], indirect=True)
def test_nothing_overflows_sideways_at_phone_width(window: tuple[Page, str, str]) -> None:
    page, _, name = window
    assert page.js("innerWidth") == 390
    assert page.js("document.documentElement.scrollWidth") <= 390
    page.click("#failure-list li a.deep")
    page.wait_for("!document.getElementById('details').hidden")
    assert page.js("document.documentElement.scrollWidth") <= 390
    assert page.js("document.getElementById('details').getBoundingClientRect().right") <= 390
    assert page.js("document.getElementById('details').scrollWidth") <= 390
    shot(page, "phone-details", name)


def test_deep_link_opens_its_result_on_load(window: tuple[Page, str, str], browser: PipeCDP) -> None:
    _, url, name = window
    subject = "image2video.create.param.p07"  # a pass: collapsed unless the link names it
    page = Page(browser)  # a fresh tab: the link is opened as a new page load, not a change of fragment
    _, width, height, mobile = next(v for v in VIEWPORTS if v[0] == name)
    page.viewport(width, height, mobile)
    open_report(page, f"{url}#yibuapi/optional_param_accepted/{subject}")
    assert page.js("document.getElementById('details').hidden") is False
    assert page.js("document.querySelector('#details details.passes').open") is True
    assert page.js("document.querySelector('#details .result.target h3').textContent").endswith(subject)
    assert visible(page, "#details .result.target h3")
    selected = page.js("document.querySelector('button.cell.selected').dataset.key")
    assert selected == f"yibuapi{SEP}optional_param_accepted"
    shot(page, "deep-link", name)
    page.close()


def _visible_findings(page: Page) -> list[list[str]]:
    return page.js(
        "[...document.querySelectorAll('#failure-list li')].filter(li => !li.hidden)"
        ".map(li => [li.dataset.gateway, li.dataset.check, li.dataset.outcome, li.dataset.evidence])"
    )


def _choose(page: Page, select: str, value: str) -> None:
    page.js(
        f"(() => {{ const s = document.getElementById({select!r}); s.value = {value!r};"
        " s.dispatchEvent(new Event('change', {bubbles: true})); })()"
    )


def test_filters_and_search_narrow_the_failures_and_the_matrix(window: tuple[Page, str, str]) -> None:
    page, _, name = window
    _choose(page, "f-gateway", "newapi")
    assert {f[0] for f in _visible_findings(page)} == {"newapi"} and len(_visible_findings(page)) == 5
    columns = page.js(
        "[...document.querySelectorAll('#matrix thead th')].filter(th => th.offsetParent).map(th => th.textContent)"
    )
    assert columns == ["Check", "newapi"]
    _choose(page, "f-outcome", "error")
    assert _visible_findings(page) == [["newapi", "task_id_stable", "error", "emulator"]]
    assert page.js("document.getElementById('failure-count').textContent") == "1 of 8 shown"
    shot(page, "filtered", name)
    page.click("#f-reset")
    page.wait_for("document.querySelectorAll('#failure-list li[hidden]').length === 0")
    _choose(page, "f-evidence", "live")
    assert _visible_findings(page) == [["n1n", "auth_missing_key_rejected", "error", "live"]]
    _choose(page, "f-evidence", "")
    _choose(page, "f-check", "bad_enum_rejected")
    assert _visible_findings(page) == [["yibuapi", "bad_enum_rejected", "fail", "emulator"]]
    rows = page.js(
        "[...document.querySelectorAll('#matrix tbody tr[data-check]')]"
        ".filter(tr => tr.offsetParent).map(tr => tr.dataset.check)"
    )
    assert rows == ["bad_enum_rejected"]
    _choose(page, "f-check", "")
    page.click("#search")
    page.cdp.send("Input.insertText", {"text": "IN_PROGRESS"}, session=page.session)  # typed, as a person would
    page.wait_for("document.querySelectorAll('#failure-list li:not([hidden])').length === 1")
    assert _visible_findings(page) == [["newapi", "status_vocabulary_kling", "fail", "emulator"]]
    rows = page.js(
        "[...document.querySelectorAll('#matrix tbody tr[data-check]')]"
        ".filter(tr => tr.offsetParent).map(tr => tr.dataset.check)"
    )
    assert rows == ["status_vocabulary_kling"]


def test_shape_view_has_a_table_of_contents_and_only_where_gateways_differ(window: tuple[Page, str, str]) -> None:
    page, _, name = window
    toc = page.js("[...document.querySelectorAll('#shape-toc a')].map(a => a.textContent)")
    tables = page.js("[...document.querySelectorAll('table.shape')].map(t => t.dataset.operation || 'gateway-wide')")
    assert toc == tables and len(toc) >= 2
    page.click("#shape-toc li:last-child a")
    target = page.js("document.querySelector('#shape-toc li:last-child a').getAttribute('href')")
    page.wait_for(f"location.hash === {target!r}")
    assert visible(page, f'[id="{target[1:]}"]')
    assert page.js("document.getElementById('details').hidden") is True  # a TOC link is not a deep link
    before = page.js("[...document.querySelectorAll('table.shape tbody tr')].filter(tr => tr.offsetParent).length")
    page.click("#only-differs")
    after = page.js(
        "[...document.querySelectorAll('table.shape tbody tr')].filter(tr => tr.offsetParent)"
        ".map(tr => tr.querySelectorAll('td.differs').length)"
    )
    assert 0 < len(after) < before and all(after)
    shot(page, "shapes-only-differ", name)


def test_switching_heatmap_page_is_styled_under_its_csp(browser: PipeCDP, tmp_path: Path) -> None:
    from conformance.compare.heatmap import build_heatmap, render_html
    from conformance.profiles import load_builtin_profiles

    page_file = tmp_path / "heatmap.html"
    heatmap = build_heatmap(["kling-official", "yibuapi", "newapi"], profiles=load_builtin_profiles())
    page_file.write_text(render_html(heatmap), encoding="utf-8")
    page = Page(browser)
    try:
        page.viewport(390, 844, True)
        page.navigate(page_file.as_uri())
        cells = page.js("document.querySelectorAll('#heatmap td[data-from]').length")
        assert cells == 6
        colour = page.js("getComputedStyle(document.querySelector('#heatmap td[data-from]')).backgroundColor")
        assert colour != "rgba(0, 0, 0, 0)"  # the inline <style> passed the CSP hash
        assert page.js("document.documentElement.scrollWidth") <= 390
        violations = [e for e in page.events("Log.entryAdded") if "Content Security" in e["params"]["entry"]["text"]]
        assert violations == []
        shot(page, "heatmap", "phone")
    finally:
        page.close()
