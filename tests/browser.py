"""A real browser for the tests: headless Chromium from Debian's packages, driven by Playwright.

Use the ``browser`` fixture (registered in ``tests/conftest.py``)::

    def test_report_renders(browser, tmp_path):
        page = browser.open(f"file://{report}", offline=True)
        page.wait_for_selector(".plot-container")
        browser.screenshot(page, "report-overview")
        assert browser.console_errors(page) == []

Chromium is found at ``$QMT_CHROMIUM``, ``/usr/bin/chromium`` or on the PATH.
Where it is missing and the tests run as root on a Debian-like machine, it is
installed once with ``apt-get install -y chromium`` (as ``.ci/run`` does
before the suite); elsewhere the browser tests skip and say why. Playwright
drives it through its own bundled driver (the ``playwright`` Python package,
in the test extra); no browser is ever downloaded.

Screenshots are kept as test artefacts under ``test-artifacts/`` at the
repository root (``$QMT_TEST_ARTIFACTS`` overrides), one PNG per name, so a
person can look at them after the run.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

#: Chromium flags for this machine kind: no sandbox as root, no GPU, and no background
#: connections (the network is closed; Chromium otherwise retries Google's hosts forever)
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage")


def artifacts_dir() -> Path:
    path = Path(os.environ.get("QMT_TEST_ARTIFACTS", REPO / "test-artifacts"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def find_chromium() -> str | None:
    for candidate in (os.environ.get("QMT_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def install_chromium() -> str | None:
    """``apt-get install -y chromium`` once (a lock file serialises parallel sessions); None if not possible."""
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return None
    with open("/tmp/qmt-engine-chromium-install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if find_chromium() is None:
            env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
            result = subprocess.run(["apt-get", "install", "-y", "chromium"], capture_output=True, text=True, env=env)
            if result.returncode != 0:
                subprocess.run(["apt-get", "update"], capture_output=True, env=env)
                subprocess.run(["apt-get", "install", "-y", "chromium"], capture_output=True, env=env)
    return find_chromium()


class Browser:
    """One headless Chromium for the session; a fresh context (cookies, storage, offline flag) per page."""

    def __init__(self, playwright, executable: str) -> None:
        self.executable = executable
        self._browser = playwright.chromium.launch(executable_path=executable, headless=True, args=list(CHROMIUM_ARGS))
        self._contexts: list = []
        self._console: dict[int, list] = {}

    @property
    def version(self) -> str:
        return self._browser.version

    def open(self, url: str | None = None, *, offline: bool = False, viewport=(1280, 900), **context_options):
        """A new page in a new context, its console messages and page errors recorded; ``url`` loaded."""
        context = self._browser.new_context(offline=offline, viewport={"width": viewport[0], "height": viewport[1]},
                                            **context_options)
        self._contexts.append(context)
        page = context.new_page()
        messages = self._console[id(page)] = []
        page.on("console", lambda message: messages.append((message.type, message.text)))
        page.on("pageerror", lambda error: messages.append(("pageerror", str(error))))
        if url is not None:
            page.goto(url)
        return page

    def console_errors(self, page) -> list[str]:
        """Console errors and uncaught page errors seen on ``page`` so far."""
        return [text for kind, text in self._console.get(id(page), []) if kind in ("error", "pageerror")]

    def screenshot(self, page, name: str, *, full_page: bool = True) -> Path:
        """Save a PNG of ``page`` as ``test-artifacts/<name>.png`` and return its path."""
        path = artifacts_dir() / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    def close(self) -> None:
        for context in self._contexts:
            context.close()
        self._browser.close()


@pytest.fixture(scope="session")
def browser():
    """The session's headless Chromium (see the module docstring); skips where none can be had."""
    executable = find_chromium() or install_chromium()
    if executable is None:
        pytest.skip("no Chromium: install Debian's chromium package (apt-get install -y chromium) or set QMT_CHROMIUM")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the test extra installs playwright")
    with sync_api.sync_playwright() as playwright:
        session = Browser(playwright, executable)
        try:
            yield session
        finally:
            session.close()
