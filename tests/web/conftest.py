"""A live server (uvicorn in a thread, its own SQLite file) and Debian's Chromium via Playwright."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from support import free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]  # fmt: skip


@pytest.fixture(scope="module")
def live_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """The demo served live; a test module with `DEMO_BOTS = True` gets the bot operators
    working the demo's predictive campaign, as `centralino demo` does, and simulated
    callers (`DEMO_CALLERS_PER_HOUR` to each service number, else the setting's default)."""
    import uvicorn

    from centralino.bootstrap import build_app, build_context
    from centralino.demo import seed_demo
    from centralino.settings import Settings

    data = tmp_path_factory.mktemp("live")
    settings = Settings(
        data_dir=data, secret_key="browser-test-secret-key", password_hashing="fast"
    )
    settings.demo_bots = bool(getattr(request.module, "DEMO_BOTS", False))
    settings.demo_callers_per_hour = float(
        getattr(request.module, "DEMO_CALLERS_PER_HOUR", settings.demo_callers_per_hour)
    )
    settings.service_level_check_seconds = float(
        getattr(request.module, "SERVICE_LEVEL_CHECK_SECONDS", settings.service_level_check_seconds)
    )
    ctx = build_context(settings)
    seed_demo(ctx)
    port = free_port()
    app = build_app(ctx)
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", ws="websockets-sansio"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    yield {"url": f"http://127.0.0.1:{port}", "ctx": ctx, "app": app}
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        if os.environ.get("CI"):
            raise RuntimeError("Debian chromium is required under CI (apt-get install chromium)")
        pytest.skip("Debian chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB")
    pg = context.new_page()
    yield pg
    context.close()
