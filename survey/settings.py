"""Settings from ``SURVEY_*`` environment variables, read once at start-up."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(RuntimeError):
    """The settings do not allow a safe start; the message says what to change."""


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"Expected a yes/no value (true/false), got {value!r}")


def normalise_database_url(url: str) -> str:
    """Give plain ``postgresql://`` and ``sqlite://`` URLs their async driver."""
    for plain, async_prefix in (
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(plain):
            return async_prefix + url[len(plain) :]
    return url


@dataclass(frozen=True, slots=True)
class Settings:
    env: str
    data_dir: Path
    database_url: str
    secret_key: str
    secure_cookies: bool
    session_max_age: int
    login_attempts_per_minute: int
    smtp_host: str
    smtp_port: int
    smtp_user: str
    smtp_password: str
    smtp_sender: str
    smtp_starttls: bool
    # The address people reach the app at, for links in e-mails (never the request's Host).
    public_url: str
    # Where `survey serve` listens unless --host / --port say otherwise.
    host: str = "127.0.0.1"
    port: int = 8000

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"


def _secret_from_data_dir(data_dir: Path) -> str:
    """Read the secret generated on the first run, or generate it (never committed)."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secret)
    return secret


def _port(value: str | None) -> int:
    if value is None or value.strip() == "":
        return 8000
    if not value.strip().isdigit() or not 1 <= int(value) <= 65535:
        raise SettingsError(f"SURVEY_PORT must be a port number from 1 to 65535, got {value!r}")
    return int(value)


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env_vars = dict(os.environ if environ is None else environ)
    get = env_vars.get
    env = get("SURVEY_ENV", "development").strip().lower()
    if env not in {"development", "production", "test"}:
        raise SettingsError("SURVEY_ENV must be development, test or production")
    production = env == "production"

    data_dir = Path(get("SURVEY_DATA_DIR") or PROJECT_ROOT / "data").resolve()
    database_url = normalise_database_url(
        get("SURVEY_DATABASE_URL") or f"sqlite:///{data_dir / 'survey.sqlite3'}"
    )
    secure_cookies = _flag(get("SURVEY_SECURE_COOKIES"), default=production)

    explicit_secret = get("SURVEY_SECRET_KEY", "")
    if production:
        if not explicit_secret:
            raise SettingsError(
                "SURVEY_ENV=production needs SURVEY_SECRET_KEY (at least 32 characters)."
            )
        if len(explicit_secret) < 32:
            raise SettingsError("SURVEY_SECRET_KEY must be at least 32 characters long.")
        if not secure_cookies:
            raise SettingsError(
                "SURVEY_ENV=production refuses insecure cookies: remove "
                "SURVEY_SECURE_COOKIES=false and serve the app over HTTPS."
            )
    secret_key = explicit_secret or _secret_from_data_dir(data_dir)
    public_url = get("SURVEY_PUBLIC_URL", "").strip().rstrip("/")
    if public_url and not public_url.startswith(("https://", "http://")):
        raise SettingsError("SURVEY_PUBLIC_URL must start with https:// (or http://)")
    if production:
        if not public_url:
            raise SettingsError(
                "SURVEY_ENV=production needs SURVEY_PUBLIC_URL (e.g. https://n-scan.example.org) "
                "for the links in invitation e-mails."
            )
        if not get("SURVEY_SMTP_HOST"):
            raise SettingsError(
                "SURVEY_ENV=production needs SURVEY_SMTP_HOST: without it, invitation e-mails "
                "would only be written to the outbox folder."
            )

    return Settings(
        env=env,
        data_dir=data_dir,
        database_url=database_url,
        secret_key=secret_key,
        secure_cookies=secure_cookies,
        session_max_age=int(get("SURVEY_SESSION_MAX_AGE", str(8 * 3600))),
        login_attempts_per_minute=int(get("SURVEY_LOGIN_ATTEMPTS_PER_MINUTE", "10")),
        smtp_host=get("SURVEY_SMTP_HOST", ""),
        smtp_port=int(get("SURVEY_SMTP_PORT", "587")),
        smtp_user=get("SURVEY_SMTP_USER", ""),
        smtp_password=get("SURVEY_SMTP_PASSWORD", ""),
        smtp_sender=get("SURVEY_SMTP_SENDER", "N-scan <no-reply@n-scan.local>"),
        smtp_starttls=_flag(get("SURVEY_SMTP_STARTTLS"), default=True),
        public_url=public_url,
        host=get("SURVEY_HOST", "").strip() or "127.0.0.1",
        port=_port(get("SURVEY_PORT")),
    )
