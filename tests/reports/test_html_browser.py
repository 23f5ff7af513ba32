"""index.html in a real headless Chromium, driven over the DevTools protocol (``--remote-debugging-pipe``).

The pipe transport needs no websocket library: commands go to fd 3, answers come from fd 4, each a
NUL-terminated JSON message. Skipped, with the reason, when no Chromium is installed.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance.reports import write_reports
from conformance.runmodel import RunReport

BROWSER = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(BROWSER is None, reason="no headless Chromium on PATH (Debian: apt-get install -y chromium)"),
]


class PipeCDP:
    """A minimal synchronous Chrome DevTools Protocol client over ``--remote-debugging-pipe``."""

    def __init__(self, browser: str) -> None:
        self.profile = tempfile.mkdtemp(prefix="kc-chromium-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def wire_fds() -> None:  # runs in the child: fd 3 = commands in, fd 4 = messages out
            read_end, write_end = os.dup(to_browser_r), os.dup(from_browser_w)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        self.process = subprocess.Popen(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-component-update",
                "--remote-debugging-pipe",
                f"--user-data-dir={self.profile}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=wire_fds,
            close_fds=False,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("Chromium did not answer in time")
            ready, _, _ = select.select([self._from_browser], [], [], remaining)
            if ready:
                chunk = os.read(self._from_browser, 1 << 16)
                if not chunk:
                    raise ConnectionError("Chromium closed the DevTools pipe")
                self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        parsed: dict[str, Any] = json.loads(message)
        return parsed

    def send(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None, timeout: float = 20.0
    ) -> dict[str, Any]:
        """Send one command and return its result; events seen meanwhile are kept in :attr:`events`."""
        self._next_id += 1
        command: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            command["sessionId"] = session
        os.write(self._to_browser, json.dumps(command).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            message = self._read_message(deadline)
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            self.events.append(message)

    def wait_event(self, method: str, session: str, timeout: float = 20.0) -> dict[str, Any]:
        """The first event ``method`` of ``session`` (already received or arriving within ``timeout``)."""
        deadline = time.monotonic() + timeout
        for event in self.events:
            if event.get("method") == method and event.get("sessionId") == session:
                return event
        while True:
            message = self._read_message(deadline)
            self.events.append(message)
            if message.get("method") == method and message.get("sessionId") == session:
                return message

    def close(self) -> None:
        """Close the browser and remove its profile."""
        with contextlib.suppress(OSError, TimeoutError, ConnectionError, RuntimeError):
            self.send("Browser.close", timeout=5)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        os.close(self._to_browser)
        os.close(self._from_browser)
        shutil.rmtree(self.profile, ignore_errors=True)


class Page:
    """One tab of the browser, with Page, Runtime, Network and Log domains enabled."""

    def __init__(self, cdp: PipeCDP) -> None:
        self.cdp = cdp
        target = cdp.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = cdp.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.target = target
        for domain in ("Page", "Runtime", "Network", "Log"):
            cdp.send(f"{domain}.enable", session=self.session)

    def close(self) -> None:
        """Close the tab."""
        self.cdp.send("Target.closeTarget", {"targetId": self.target})

    def navigate(self, url: str) -> None:
        """Load ``url`` and wait for its load event."""
        self.cdp.send("Page.navigate", {"url": url}, session=self.session)
        self.cdp.wait_event("Page.loadEventFired", self.session)

    def js(self, expression: str) -> Any:
        """Evaluate ``expression`` in the page and return its JSON value."""
        answer = self.cdp.send(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=self.session
        )
        if "exceptionDetails" in answer:
            raise AssertionError(f"page script failed: {answer['exceptionDetails']}")
        return answer["result"].get("value")

    def click(self, selector: str) -> None:
        """A real mouse click at the centre of the first element matching ``selector``."""
        box = self.js(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)}); e.scrollIntoView();"
            " const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()"
        )
        for kind in ("mousePressed", "mouseReleased"):
            self.cdp.send(
                "Input.dispatchMouseEvent",
                {"type": kind, "x": box[0], "y": box[1], "button": "left", "clickCount": 1},
                session=self.session,
            )

    def events(self, method: str) -> list[dict[str, Any]]:
        """Events of ``method`` received for this tab so far."""
        return [e for e in self.cdp.events if e.get("method") == method and e.get("sessionId") == self.session]


@pytest.fixture(scope="module")
def browser() -> Iterator[PipeCDP]:
    assert BROWSER is not None
    cdp = PipeCDP(BROWSER)
    try:
        yield cdp
    finally:
        cdp.close()


@pytest.fixture
def page_of(browser: PipeCDP, tmp_path: Path, report: RunReport) -> Iterator[tuple[Page, Path]]:
    run_dir = write_reports(report, tmp_path / "reports", formats=["json", "html"])
    page = Page(browser)
    page.navigate((run_dir / "index.html").as_uri())
    deadline = time.monotonic() + 10
    while page.js("document.documentElement.getAttribute('data-ready')") != "1":
        assert time.monotonic() < deadline, "report script never finished (blocked by CSP?)"
        time.sleep(0.05)
    yield page, run_dir
    page.close()


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


def test_cell_details_name_the_subject_of_each_result(page_of: tuple[Page, Path]) -> None:
    page, _ = page_of
    page.click('button.cell[data-key="yibuapi\u241foptional_param_accepted"]')
    headings = page.js("[...document.querySelectorAll('#details .result h3')].map(h => h.textContent)")
    assert len(headings) == 2
    assert headings[0].endswith("PASS · image2video.create.param.cfg_scale")
    assert headings[1].endswith("FAIL · image2video.create.param.sound")
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
    requested = [e["params"]["request"]["url"] for e in page.events("Network.requestWillBeSent")]
    assert requested == [(run_dir / "index.html").as_uri()]
    assert not page.events("Network.loadingFailed")
    csp = page.js("document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]').content")
    assert csp.startswith("default-src 'none';") and "connect-src 'none'" in csp
    external = page.js(
        "[...document.querySelectorAll('*')].flatMap(e => [...e.attributes])"
        ".filter(a => ['src', 'href', 'action', 'srcset', 'poster'].includes(a.name)).map(a => a.value)"
    )
    assert external == []
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
