"""index.html in a real headless Chromium, driven over the DevTools protocol (``--remote-debugging-pipe``,
see browser_cdp.py). Skipped, with the reason, when no Chromium is installed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_cdp import BROWSER, Page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(BROWSER is None, reason="no headless Chromium on PATH (Debian: apt-get install -y chromium)"),
]


def test_matrix_renders_gateways_as_columns_and_cells_per_result(page_of: tuple[Page, Path]) -> None:
    page, _ = page_of
    headers = page.js("[...document.querySelectorAll('#matrix thead th')].map(th => th.textContent)")
    assert headers == ["Check", "kling-official", "yibuapi", "newapi", "n1n"]
    areas = page.js("[...document.querySelectorAll('#matrix tr.area')].map(tr => tr.textContent)")
    assert areas[0] == "Request acceptance" and "Callbacks" in areas
    outcomes = page.js("[...document.querySelectorAll('button.cell')].map(b => b.dataset.outcome)")
    assert len(outcomes) == 28 and set(outcomes) == {"pass", "fail", "error", "skipped", "waived"}
    colour = page.js("getComputedStyle(document.querySelector('button.cell.o-fail')).backgroundColor")
    assert colour == "rgb(255, 217, 214)"  # styles applied: the inline <style> passed the CSP hash
    assert page.js("document.querySelector('button.cell.o-pass .ev').textContent") in {"D", "E", "L", "F", "U"}


def test_clicking_a_cell_shows_expected_actual_path_and_redacted_exchange(page_of: tuple[Page, Path]) -> None:
    page, _ = page_of
    page.click('button.cell[data-key="newapi\u241fresponse_shape_family"]')
    text = page.js("document.getElementById('details').innerText")
    assert "response_shape_family · newapi" in text
    assert "query body is the new-api task wrapper" in text
    assert page.js("document.querySelector('#details pre.expected').textContent") == "kling"
    assert page.js("document.querySelector('#details pre.actual').textContent") == "newapi-task"
    assert "$" in text and "newapi/image2video.get.known#0" in text
    response = page.js("document.querySelector('#details pre.res').textContent")
    assert response.startswith("HTTP 200") and '"status": "IN_PROGRESS"' in response
    assert "[REDACTED]" in page.js("document.querySelector('#details pre.req').textContent")
    assert page.js("document.querySelector('button.cell.selected').dataset.key") == "newapi\u241fresponse_shape_family"


def test_cell_details_name_the_subject_of_each_result_failures_first(page_of: tuple[Page, Path]) -> None:
    page, _ = page_of
    page.click('button.cell[data-key="yibuapi\u241foptional_param_accepted"]')
    headings = page.js("[...document.querySelectorAll('#details .result h3')].map(h => h.textContent)")
    assert len(headings) == 1 and headings[0].endswith("FAIL · image2video.create.param.sound")  # the pass is folded
    assert page.js("document.querySelector('#details details.passes summary').textContent") == "1 pass"
    page.click("#details details.passes summary")
    page.wait_for("document.querySelectorAll('#details .result').length === 2")  # filled on its toggle event
    headings = page.js("[...document.querySelectorAll('#details .result h3')].map(h => h.textContent)")
    assert len(headings) == 2 and headings[1].endswith("PASS · image2video.create.param.cfg_scale")
    assert "image2video.create.param.sound" in page.js("document.getElementById('details').innerText")


def test_hostile_gateway_text_is_shown_not_executed(page_of: tuple[Page, Path]) -> None:
    page, _ = page_of
    page.click('button.cell[data-key="newapi\u241fauth_missing_key_rejected"]')
    assert page.js("typeof window.__pwned") == "undefined"
    assert page.js("document.querySelectorAll('script').length") == 2
    assert page.js("document.querySelectorAll('img, iframe, object, embed, link').length") == 0
    assert "<script>window.__pwned = 1</script>" in page.js("document.getElementById('details').innerText")
    assert page.js("document.querySelector('#details pre.res').textContent").startswith("HTTP 401")


def test_page_makes_no_network_request(page_of: tuple[Page, Path]) -> None:
    page, run_dir = page_of
    page.click("button.cell.o-error")
    page.js("document.getElementById('only-findings').click()")
    page.js("document.getElementById('only-differs').click()")
    page.click("#failure-list li a.deep")
    page.js("const s = document.getElementById('f-gateway'); s.value = 'newapi'; s.dispatchEvent(new Event('change'))")
    requested = [e["params"]["request"]["url"] for e in page.events("Network.requestWillBeSent")]
    assert requested == [(run_dir / "index.html").as_uri()]
    assert not page.events("Network.loadingFailed")
    csp = page.js("document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]').content")
    assert csp.startswith("default-src 'none';") and "connect-src 'none'" in csp
    external = page.js(
        "[...document.querySelectorAll('*')].flatMap(e => [...e.attributes])"
        ".filter(a => ['src', 'href', 'action', 'srcset', 'poster'].includes(a.name)).map(a => a.value)"
    )
    assert external and all(v.startswith("#") for v in external)  # in-page links (deep links, TOC) only
    violations = [e for e in page.events("Log.entryAdded") if "Content Security Policy" in e["params"]["entry"]["text"]]
    assert violations == []


def test_shape_view_marks_differences(page_of: tuple[Page, Path]) -> None:
    page, _ = page_of
    differing = page.js(
        "[...document.querySelectorAll('table.shape td.differs')]"
        ".map(td => td.closest('tr').querySelector('th').textContent)"
    )
    assert {
        "shape family",
        "status words",
        "id format",
        "timestamp unit",
        "error shape",
        "HTTP status: unknown task",
        "callback",
        "param external_task_id",
        "supported",
        "field paths",
    } <= set(differing)
    same = page.js("document.querySelector('table.shape[data-operation=\"image2video.get\"] td.same').textContent")
    assert same.startswith("kling")
