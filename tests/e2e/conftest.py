"""Browser test fixtures: the real app in a subprocess, headless Debian Chromium.

The app is started once per test run (per xdist worker) the way a user starts it:
a fresh data directory, ``survey db upgrade``, ``survey demo --seed 1`` (its printed
logins are parsed), then ``survey serve`` on a free port. Journeys drive it through
Playwright with JavaScript on (htmx active) and off (plain HTML forms); the helpers
they use are in ``harness.py``.

Playwright's own browser download does not work here: Debian's ``chromium``
package is used, and its absence fails the run instead of skipping it.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Iterator
from itertools import count
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DEMO_SEED,
    PROJECT_ROOT,
    DemoLogins,
    PageProblems,
    RunningApp,
    app_environment,
    die_with_parent,
    free_port,
    new_context,
    parse_demo_logins,
    require_chromium,
    run_survey,
    save_screenshot,
    stop_process_group,
    survey_command,
    wait_until_healthy,
)

E2E_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test under tests/e2e is a browser test."""
    for item in items:
        if E2E_DIR in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)


# --- The app under test -------------------------------------------------------------


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """The real app with the demo network, served on a free port for the whole run."""
    data_dir = tmp_path_factory.mktemp("e2e-data")
    env = app_environment(data_dir)
    run_survey(env, "db", "upgrade")
    logins = parse_demo_logins(run_survey(env, "demo", "--seed", str(DEMO_SEED)))

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = data_dir / "serve.log"
    with log_path.open("wb") as log:
        # Its own session (process group), so everything it starts is stopped with it.
        process = subprocess.Popen(
            survey_command("serve", "--host", "127.0.0.1", "--port", str(port)),
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_parent,
        )
    try:
        wait_until_healthy(process, f"{base_url}/healthz", log_path)
        yield RunningApp(base_url=base_url, data_dir=data_dir, logins=logins, log_path=log_path)
    finally:
        stop_process_group(process)


@pytest.fixture(scope="session")
def base_url(app_server: RunningApp) -> str:
    return app_server.base_url


@pytest.fixture(scope="session")
def demo_logins(app_server: RunningApp) -> DemoLogins:
    """demo_logins.manager / .coach / .analyst / .admin, or .by_role("manager")."""
    return app_server.logins


# --- The browser ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def js_context(browser: Any, base_url: str) -> Iterator[Any]:
    """A fresh browser profile with JavaScript on (htmx active)."""
    context = new_context(browser, base_url, javascript=True)
    yield context
    context.close()


@pytest.fixture
def nojs_context(browser: Any, base_url: str) -> Iterator[Any]:
    """A fresh browser profile with JavaScript off (plain HTML forms and links)."""
    context = new_context(browser, base_url, javascript=False)
    yield context
    context.close()


def _watched_page(context: Any) -> Iterator[Any]:
    """A page that fails the test on uncaught script errors or CSP violations."""
    problems = PageProblems()
    page = context.new_page()
    problems.watch(page)
    yield page
    assert not problems.messages, "The page reported problems:\n" + "\n".join(problems.messages)


@pytest.fixture
def js_page(js_context: Any) -> Iterator[Any]:
    yield from _watched_page(js_context)


@pytest.fixture
def nojs_page(nojs_context: Any) -> Iterator[Any]:
    yield from _watched_page(nojs_context)


@pytest.fixture(params=["js", "nojs"])
def mode(request: pytest.FixtureRequest) -> str:
    """Run a journey twice: with JavaScript on and off."""
    value: str = request.param
    return value


@pytest.fixture
def page(mode: str, request: pytest.FixtureRequest) -> Any:
    """A page in the profile `mode` names (js or nojs)."""
    return request.getfixturevalue(f"{mode}_page")


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[[Any, str], Path]:
    """screenshot(page, "login-error") saves screenshots/<test>-<mode>-NN-login-error.png."""
    test_name = re.sub(r"[^A-Za-z0-9]+", "-", request.node.name).strip("-")
    numbers = count(1)

    def take(page: Any, name: str) -> Path:
        return save_screenshot(page, f"{test_name}-{next(numbers):02d}-{name}")

    return take
