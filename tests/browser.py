"""Shared set-up for the real-browser tests: Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "build" / "screenshots"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def missing() -> str:
    """Why the browser tests cannot run here, or '' when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -c constraints.txt -e '.[dev]')"
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"no Chromium at {CHROMIUM} (apt-get install -y chromium)"
    if not AXE.exists():
        return f"axe-core is not installed in {AXE.parent} (npm ci)"
    return ""


def require_browser() -> None:
    """Skip with one clear line, or fail under CI, where the tests must run."""
    reason = missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run: {reason}")
        pytest.skip(f"browser tests skipped: {reason}")
