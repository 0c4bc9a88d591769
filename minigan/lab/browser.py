"""A headless Chromium on the lab's page, for the browser test, the speed benchmark and the docs' screenshots.

Uses Debian's ``chromium`` and ``chromium-driver`` packages through Selenium, offline
(``SE_OFFLINE=true``: Selenium must not download a driver), with a fresh profile, and only ever
opens 127.0.0.1. :func:`chromium` raises :class:`BrowserMissing` saying what is absent, so a
test can skip with that reason.
"""
from __future__ import annotations

import os
import shutil
import tempfile

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
DRIVER_NAMES = ("chromedriver",)
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage")


class BrowserMissing(RuntimeError):
    """Selenium, Chromium or its driver is not installed."""


def _which(names) -> str | None:
    return next((path for path in map(shutil.which, names) if path), None)


def chromium(width: int = 1300, height: int = 1000):
    """A Selenium driver of a fresh headless Chromium whose window is width x height pixels.
    Quit it with ``driver.quit()``; its profile folder is removed then."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as exc:
        raise BrowserMissing(f"selenium is not installed ({exc}); pip install selenium") from exc
    binary, driver_path = _which(CHROMIUM_NAMES), _which(DRIVER_NAMES)
    if binary is None or driver_path is None:
        missing = [name for name, path in (("chromium", binary), ("chromedriver", driver_path)) if path is None]
        raise BrowserMissing(f"{' and '.join(missing)} not found on PATH; "
                             "apt-get install -y chromium chromium-driver")
    os.environ["SE_OFFLINE"] = "true"
    profile = tempfile.mkdtemp(prefix="minigan-lab-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in (*FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}"):
        options.add_argument(flag)
    try:
        driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    except Exception:
        shutil.rmtree(profile, ignore_errors=True)
        raise
    quit_driver = driver.quit

    def quit_and_clean():
        try:
            quit_driver()
        finally:
            shutil.rmtree(profile, ignore_errors=True)

    driver.quit = quit_and_clean
    return driver
