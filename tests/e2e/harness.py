"""Browser test helpers: start the real app, drive pages, check accessibility.

Test files import from here (``from tests.e2e.harness import login, ...``); the
fixtures live in ``conftest.py``. Helpers are not in conftest.py itself, because a
conftest module imported by name from a test would be a second copy with its own
state.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_SCRIPT = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SCREENSHOT_DIR = PROJECT_ROOT / "screenshots"
STARTUP_TIMEOUT = 60.0
DEFAULT_TIMEOUT_MS = 15_000
# The network's users are Dutch-speaking; the browser says so (Accept-Language).
BROWSER_LOCALE = "nl-BE"
VIEWPORT = {"width": 1280, "height": 800}
DEMO_SEED = 1

# Browser contexts with JavaScript switched off (axe needs JavaScript to run).
_NO_JS_CONTEXTS: weakref.WeakSet[Any] = weakref.WeakSet()


# --- The app under test -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DemoLogin:
    role: str
    email: str
    password: str
    note: str


@dataclass(slots=True)
class DemoLogins:
    """The logins `survey demo` printed, in order; `.manager` etc. give the first per role."""

    all: list[DemoLogin] = field(default_factory=list)

    def by_role(self, role: str) -> list[DemoLogin]:
        return [login for login in self.all if login.role == role]

    def first(self, role: str) -> DemoLogin:
        matches = self.by_role(role)
        if not matches:
            raise LookupError(f"`survey demo` printed no {role} login: {self.all}")
        return matches[0]

    @property
    def manager(self) -> DemoLogin:
        return self.first("manager")

    @property
    def coach(self) -> DemoLogin:
        return self.first("coach")

    @property
    def analyst(self) -> DemoLogin:
        return self.first("analyst")

    @property
    def admin(self) -> DemoLogin:
        return self.first("admin")


_LOGIN_LINE = re.compile(r"^\s+(?P<email>\S+@\S+)\s+(?P<password>\S+)\s+(?P<note>.*\S)\s*$")


def parse_demo_logins(output: str) -> DemoLogins:
    """Parse the `email  password  note` lines under "Demo logins:".

    The role is the e-mail's local part up to the first digit or dot
    (manager001 -> manager, coach.huis -> coach, admin -> admin).
    """
    _before, marker, after = output.partition("Demo logins:")
    if not marker:
        raise ValueError(f"`survey demo` printed no 'Demo logins:' section:\n{output}")
    logins = DemoLogins()
    for line in after.splitlines():
        match = _LOGIN_LINE.match(line)
        if not match:
            continue
        local_part = match["email"].split("@", 1)[0]
        role_match = re.match(r"[a-z]+", local_part)
        role = role_match.group(0) if role_match else local_part
        logins.all.append(DemoLogin(role, match["email"], match["password"], match["note"]))
    if not logins.all:
        raise ValueError(f"No demo logins could be parsed from:\n{output}")
    return logins


@dataclass(frozen=True, slots=True)
class RunningApp:
    base_url: str
    data_dir: Path
    logins: DemoLogins
    log_path: Path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def app_environment(data_dir: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        # Never let the developer's own database, secret or settings reach the test app.
        if not key.startswith("SURVEY_")
    }
    env.update(
        {
            "SURVEY_ENV": "development",
            "SURVEY_DATA_DIR": str(data_dir),
            # Many journeys log in from one address within a minute; the limit
            # itself is covered by the integration tests.
            "SURVEY_LOGIN_ATTEMPTS_PER_MINUTE": "1000",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def survey_command(*args: str) -> list[str]:
    """The `survey` command, run with this interpreter (no shim in between)."""
    return [sys.executable, "-m", "survey.cli", *args]


def run_survey(env: dict[str, str], *args: str) -> str:
    command = survey_command(*args)
    result = subprocess.run(
        command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=180, check=False
    )
    if result.returncode != 0:
        pytest.fail(
            f"`survey {' '.join(args)}` failed with exit code {result.returncode}:\n"
            f"{result.stdout}\n{result.stderr}",
            pytrace=False,
        )
    return result.stdout


def die_with_parent() -> None:
    """In the child before exec: on Linux, get SIGTERM when the test process dies, so a
    killed or timed-out test run leaves no server behind (the finalizer does not run then)."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def stop_process_group(process: subprocess.Popen[bytes]) -> None:
    """Terminate the server's whole process group (uvicorn and anything in between)."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def wait_until_healthy(process: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"`survey serve` exited with code {process.returncode} before answering:\n"
                f"{log_path.read_text(errors='replace')}",
                pytrace=False,
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (local URL)
                if response.status == 200 and json.load(response).get("status") == "ok":
                    return
        except (urllib.error.URLError, OSError, ValueError) as error:
            last_error = error
        time.sleep(0.2)
    stop_process_group(process)
    pytest.fail(
        f"`survey serve` did not answer {url} within {STARTUP_TIMEOUT:.0f} s "
        f"(last error: {last_error}):\n{log_path.read_text(errors='replace')}",
        pytrace=False,
    )


# --- The browser ----------------------------------------------------------------------


def require_chromium() -> None:
    if not CHROMIUM.exists():
        pytest.fail(
            f"The browser tests need Debian's Chromium at {CHROMIUM}, which is missing. "
            "Install it with `sudo apt-get install chromium` (Playwright's own browser "
            "download is not used).",
            pytrace=False,
        )


def new_context(browser: Any, base_url: str, *, javascript: bool) -> Any:
    context = browser.new_context(
        base_url=base_url,
        java_script_enabled=javascript,
        locale=BROWSER_LOCALE,
        viewport=VIEWPORT,
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    if not javascript:
        _NO_JS_CONTEXTS.add(context)
    return context


def javascript_enabled(page: Any) -> bool:
    return page.context not in _NO_JS_CONTEXTS


@dataclass(slots=True)
class PageProblems:
    """Uncaught script errors and Content-Security-Policy violations seen by a page."""

    messages: list[str] = field(default_factory=list)

    def watch(self, page: Any) -> None:
        page.on("pageerror", lambda error: self.messages.append(f"page error: {error}"))
        page.on("console", lambda message: self._console(message))

    def _console(self, message: Any) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.messages.append(f"CSP violation: {message.text}")


# --- Journeys -------------------------------------------------------------------------


def login(page: Any, email: str, password: str) -> None:
    """Fill and submit the login form; the caller checks where it lands."""
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    with page.expect_navigation():
        page.locator("form[action='/login'] button[type=submit]").click()


def logout(page: Any) -> None:
    with page.expect_navigation():
        page.locator("form.logout-form button[type=submit]").click()


# --- Accessibility ------------------------------------------------------------------------

_AXE_RUN = """
async (runOnly) => {
  const results = await axe.run(document, {runOnly});
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary})),
  }));
}
"""


def _run_only(rules: Sequence[str]) -> dict[str, Any]:
    """axe's ``runOnly``: the named rules, or else every WCAG 2.x A/AA rule."""
    if rules:
        return {"type": "rule", "values": list(rules)}
    return {"type": "tag", "values": AXE_TAGS}


def _run_axe(page: Any, rules: Sequence[str] = ()) -> list[dict[str, Any]]:
    # Evaluated through the DevTools protocol, so the app's strict CSP
    # (script-src 'self') stays in force during the tests; add_script_tag would be
    # blocked by it, and bypass_csp would hide the app's own CSP violations.
    page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    violations: list[dict[str, Any]] = page.evaluate(_AXE_RUN, _run_only(rules))
    return violations


def _run_axe_on_snapshot(page: Any, rules: Sequence[str] = ()) -> list[dict[str, Any]]:
    """axe needs JavaScript: replay the no-JS page's HTML at its own URL in a JS
    profile (so its stylesheet loads and contrast is checked) and run axe there."""
    html = page.content()
    url = page.url
    context = page.context.browser.new_context(
        java_script_enabled=True, locale=BROWSER_LOCALE, viewport=page.viewport_size
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    try:
        context.route(
            lambda candidate: candidate == url,
            lambda route: route.fulfill(
                status=200, content_type="text/html; charset=utf-8", body=html
            ),
        )
        replay = context.new_page()
        replay.goto(url)
        return _run_axe(replay, rules)
    finally:
        context.close()


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}  <{violation['helpUrl']}>"
        )
        for node in violation["nodes"][:8]:
            summary = " ".join((node.get("summary") or "").split())
            lines.append(f"    at {node['target']}: {summary}")
        if len(violation["nodes"]) > 8:
            lines.append(f"    ... and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)


def assert_accessible(page: Any, rules: Sequence[str] = ()) -> None:
    """Fail with a readable list when axe-core finds WCAG 2.x A/AA violations (or, given
    ``rules``, violations of those axe rules, e.g. the best practice "landmark-unique")."""
    violations = (
        _run_axe(page, rules) if javascript_enabled(page) else _run_axe_on_snapshot(page, rules)
    )
    assert not violations, (
        f"axe-core found {len(violations)} accessibility violation(s) on {page.url}:\n"
        + format_violations(violations)
    )


# --- Screenshots ----------------------------------------------------------------------------


def save_screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot as screenshots/<name>.png (the folder is gitignored)."""
    SCREENSHOT_DIR.mkdir(exist_ok=True)
    label = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")
    path = SCREENSHOT_DIR / f"{label}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
