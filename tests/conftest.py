"""Fixtures the browser tests share: a Chromium (or a clear skip) and a fresh page per test."""

from __future__ import annotations

import browser_support as lab
import pytest


@pytest.fixture(scope="module")
def chromium_path() -> str:
    return lab.chromium_or_skip()


@pytest.fixture(scope="module")
def browser(chromium_path: str):
    with lab.launched_chromium(chromium_path) as chromium:
        yield chromium


@pytest.fixture
def page(browser):
    with lab.new_page(browser) as fresh:
        yield fresh
