"""minigan lab end to end in a real headless Chromium (Debian's, through Selenium): the page loads,
its buttons step and play the GAN on the server, and the iteration count and the drawing change.
Skips, saying what is missing, where Selenium, Chromium or chromedriver is not installed."""
from __future__ import annotations

import hashlib
import threading
import time

import pytest

from minigan.lab import LabSession
from minigan.lab.browser import BrowserMissing, chromium
from minigan.lab.server import serve

PIXELS = "return document.getElementById('plot').toDataURL();"


@pytest.fixture(scope="module")
def browser():
    try:
        driver = chromium(1300, 1000)
    except BrowserMissing as exc:
        pytest.skip(f"no browser to drive: {exc}")
    yield driver
    driver.quit()


@pytest.fixture
def lab(tmp_path):
    session = LabSession({"g_width": 16, "d_width": 16, "batch_size": 32}, save_dir=tmp_path).start()
    server = serve(session, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()
    session.close()


def wait_for(condition, timeout=10.0, what="the page"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def text_of(driver, element_id):
    return driver.execute_script(f"return document.getElementById('{element_id}').textContent;")


def drawing(driver):
    return hashlib.sha1(driver.execute_script(PIXELS).encode()).hexdigest()


def test_the_buttons_train_the_gan_and_the_page_follows(browser, lab):
    browser.get(lab.url)
    wait_for(lambda: browser.execute_script("return window.labStats && window.labStats.frames > 0"), what="a first drawing")
    assert text_of(browser, "iteration") == "0" and text_of(browser, "play") == "Play"
    assert browser.execute_script("return document.getElementById('plot').width") == 560
    before = drawing(browser)

    browser.find_element("id", "step-d").click()
    wait_for(lambda: text_of(browser, "d-steps") == "1", what="one D step")
    assert text_of(browser, "iteration") == "0" and lab.session.gan.d_steps == 1
    browser.find_element("id", "step-both").click()
    wait_for(lambda: text_of(browser, "iteration") == "1", what="one iteration")
    wait_for(lambda: drawing(browser) != before, what="the drawing to change")

    browser.find_element("id", "play").click()
    wait_for(lambda: int(text_of(browser, "iteration")) > 20, what="training to run")
    assert text_of(browser, "play") == "Pause"
    moving = drawing(browser)
    wait_for(lambda: drawing(browser) != moving, what="the drawing to follow training")
    browser.find_element("id", "play").click()
    wait_for(lambda: not lab.session.running, what="a pause")


def test_a_click_on_a_fake_sample_looks_inside_and_korean_is_one_click_away(browser, lab):
    lab.session.step("both", 3)
    browser.get(lab.url)
    wait_for(lambda: browser.execute_script("return window.labStats.frames > 0"), what="a first drawing")
    # click where fake sample 0 is drawn
    x, y = browser.execute_script(
        "const f = LabDraw.frame(document.getElementById('plot'), {lo: -3, hi: 3});"
        "const p = arguments[0]; return [f.x(p[0]), f.y(p[1])];", lab.session.state()["fake"][0])
    canvas = browser.find_element("id", "plot")
    from selenium.webdriver.common.action_chains import ActionChains
    ActionChains(browser).move_to_element_with_offset(canvas, x - canvas.size["width"] / 2,
                                                      y - canvas.size["height"] / 2).click().perform()
    wait_for(lambda: browser.execute_script("return document.querySelectorAll('#inside-body tr[data-step]').length"),
             what="the look-inside table")
    assert "Linear.backward" in text_of(browser, "inside-body")
    assert "def backward" in text_of(browser, "source")
    browser.find_element("id", "lang-ko").click()
    assert text_of(browser, "play") == "재생" and "역전파" in text_of(browser, "inside-body")


def test_a_drawn_distribution_becomes_the_data(browser, lab):
    lab.session.configure({"dataset": "drawn"})
    browser.get(lab.url)
    wait_for(lambda: browser.execute_script("return window.labStats.frames > 0"), what="a first drawing")
    # drag along a horizontal line at y = 1 from x = -2 to x = 2 (data units)
    browser.execute_script(
        "const c = document.getElementById('plot'), f = LabDraw.frame(c, {lo: -3, hi: 3}), b = c.getBoundingClientRect();"
        "const at = (u, v) => ({clientX: b.left + f.x(u) * b.width / c.width, clientY: b.top + f.y(v) * b.height / c.height, bubbles: true});"
        "c.dispatchEvent(new MouseEvent('mousedown', at(-2, 1)));"
        "for (let u = -2; u <= 2; u += 0.05) c.dispatchEvent(new MouseEvent('mousemove', at(u, 1)));"
        "window.dispatchEvent(new MouseEvent('mouseup', {}));")
    assert int(text_of(browser, "draw-count")) >= 50
    browser.find_element("id", "draw-use").click()
    wait_for(lambda: lab.session.points is not None and len(lab.session.points) >= 50, what="the drawing to be sent")
    points = lab.session.points
    assert all(abs(y - 1) < 0.02 for _, y in points) and min(x for x, _ in points) < -1.9
