"""A headless Debian Chromium for the browser tests (the rendered book, JupyterLab)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


@contextmanager
def chromium(user_data_dir: Path, *extra_flags: str) -> Iterator:
    """A headless Debian Chromium driven by Selenium (the rendered book's and JupyterLab's
    browser tests); it fails, not skips, where chromium or its driver is missing."""
    binary, driver = shutil.which("chromium"), shutil.which("chromedriver")
    assert binary and driver, "Debian's chromium and chromium-driver are needed: make browser"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in [*CHROMIUM_FLAGS, *extra_flags, f"--user-data-dir={user_data_dir}"]:
        options.add_argument(flag)
    with webdriver.Chrome(service=Service(driver), options=options) as session:
        yield session
