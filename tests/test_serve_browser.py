"""The page end to end in headless Chromium (Debian's `chromium` + `chromium-driver`, driven by Selenium): the
service runs on a free loopback port over a small world; a query is typed and submitted with the keyboard alone,
the grid fills, a result is opened with the keyboard, and the boxes, the caption graph and the score bars are
drawn — at 1280 px and at 375 px wide. Screenshots go to the test's tmp folder.

Without Chromium the test skips and says why; with SGFNS_REQUIRE_BROWSER=1 (set by .ci/run, which installs the
packages) a missing browser is a failure instead."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time

import pytest

pytest.importorskip("fastapi")


def _browser_or_skip() -> tuple[str, str]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    why = None
    try:
        import selenium  # noqa: F401
    except ImportError:
        why = "selenium is not installed (pip install -r requirements.txt)"
    if why is None and (chromium is None or driver is None):
        why = "no chromium/chromedriver on PATH (apt-get install -y chromium chromium-driver)"
    if why is not None:
        if os.environ.get("SGFNS_REQUIRE_BROWSER") == "1":
            pytest.fail(f"SGFNS_REQUIRE_BROWSER=1 but {why}")
        pytest.skip(why)
    return chromium, driver


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def service(served_world):
    """The app on a free loopback port in a background thread (uvicorn), for the module's tests."""
    import uvicorn

    from sgfns import load_model
    from sgfns.index.searcher import Searcher
    from sgfns_app.serve.app import create_app

    _, run, index = served_world
    model = load_model(run)
    # a tiny one-epoch model matches weakly: threshold -1 shows every match's region, so boxes can be checked
    searcher = Searcher(model, index, checkpoint_sha256=model.run.checkpoint_sha256, threshold=-1.0)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(searcher), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the service did not start"
    yield f"http://127.0.0.1:{port}", searcher
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def browser(tmp_path):
    chromium, driver_path = _browser_or_skip()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}"):  # fmt: skip
        opts.add_argument(flag)
    drv = webdriver.Chrome(service=Service(driver_path), options=opts)
    drv.set_page_load_timeout(60)
    try:
        yield drv
    finally:
        drv.quit()


@pytest.mark.slow
@pytest.mark.parametrize("width", [1280, 375])
def test_keyboard_search_opens_an_explained_result(service, browser, tmp_path, width):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    url, searcher = service
    browser.set_window_size(width, 1000)
    browser.get(url + "/")
    wait = WebDriverWait(browser, 60)
    wait.until(lambda d: "images" in d.find_element(By.ID, "run-info").text)
    # the query box has the focus on load: type and press Enter, no mouse
    active = browser.switch_to.active_element
    assert active.get_attribute("id") == "q"
    n_hits = min(20, len(searcher.ids))  # the page asks for 20
    # a query with a hit whose matches have boxes (the tiny world's predicted image graphs are often empty)
    query, pick = next(
        (q, h)
        for q in searcher.captions
        for h, hit in enumerate(searcher.text(q, n_hits)["results"])
        if any(m["box"] for m in hit["matches"])
    )
    active.send_keys(query, Keys.ENTER)
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#grid button.hit")) == n_hits)
    wait.until(lambda d: d.execute_script(
        "return [...document.querySelectorAll('#grid img')].every(i => i.complete && i.naturalWidth > 0)"))  # fmt: skip
    assert browser.find_elements(By.CSS_SELECTOR, "#query-graph svg .node")  # the parsed query is drawn
    browser.save_screenshot(str(tmp_path / f"grid-{width}.png"))
    # Tab from the search box to that result and open it with Enter
    hits = browser.find_elements(By.CSS_SELECTOR, "#grid button.hit")
    for _ in range(pick + 10):
        if browser.switch_to.active_element == hits[pick]:
            break
        browser.switch_to.active_element.send_keys(Keys.TAB)
    assert browser.switch_to.active_element == hits[pick], "the result is not reachable with Tab"
    hits[pick].send_keys(Keys.ENTER)
    wait.until(ec.visibility_of_element_located((By.ID, "detail")))
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#boxes g.box rect"))
    expected = searcher.text(query, n_hits)["results"][pick]
    n_boxes = sum(1 for m in expected["matches"] if m["box"] is not None)
    assert n_boxes >= 1
    assert len(browser.find_elements(By.CSS_SELECTOR, "#boxes g.box")) == n_boxes
    labels = [t.text for t in browser.find_elements(By.CSS_SELECTOR, "#boxes g.box text")]
    assert any(m["label"] in label for m in expected["matches"] for label in labels)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#detail-graph svg .node")) == len(searcher.parse(query).objects)
    bars = browser.find_elements(By.CSS_SELECTOR, "#bars .bar-row")
    assert len(bars) == len(expected["parts"]) + 1  # one per term and the total
    # nothing overflows the window sideways at this width
    assert browser.execute_script("return document.documentElement.scrollWidth") <= width
    browser.save_screenshot(str(tmp_path / f"detail-{width}.png"))
    # image -> text from the image itself, with the keyboard; Esc closes the detail and gives focus back
    browser.find_element(By.ID, "stage").send_keys(Keys.ENTER)
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#caption-list button")) == 10)
    browser.save_screenshot(str(tmp_path / f"captions-{width}.png"))
    browser.switch_to.active_element.send_keys(Keys.ESCAPE)
    wait.until(ec.invisibility_of_element_located((By.ID, "detail")))
    assert browser.switch_to.active_element == hits[pick]
    assert (tmp_path / f"detail-{width}.png").stat().st_size > 0
