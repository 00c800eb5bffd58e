"""Limits on failed logins, counted in the database so every worker sees the same numbers.

Two rules, both on failures only (a page load or a successful login never counts):

- per client address: at most ``SURVEY_LOGIN_ATTEMPTS_PER_MINUTE`` failures a minute;
- per account (the e-mail address typed, known or not): at most 100 failures an hour
  (NIST SP 800-63B §5.2.2), from any number of addresses.

Past a limit every attempt, even with the right password, is refused with 429 and
``Retry-After`` until the oldest failure that counts leaves its window. The failure that
reaches the account limit sends one e-mail to the account's holder.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from survey.accounts.models import LoginFailure, User
from survey.accounts.service import normalise_email
from survey.db import seconds_until_below, utcnow
from survey.errors import TooManyAttempts
from survey.i18n import N_, translations
from survey.i18n import gettext as _

ACCOUNT_FAILURES_PER_HOUR = 100
ACCOUNT_WINDOW = dt.timedelta(hours=1)
ADDRESS_WINDOW = dt.timedelta(minutes=1)

LOCKED_SUBJECT = N_("N-scan: logging in to your account is blocked for an hour")
LOCKED_BODY = N_(
    "Hello %(name)s,\n\n"
    "Someone tried to log in to your N-scan account (%(email)s) with a wrong password "
    "%(count)s times within an hour. To protect the account, logging in is blocked for "
    "an hour. Nobody got in.\n\n"
    "Was it you? Then wait an hour and try again. Was it not you? Then nothing is needed, "
    "but choose a password that you use nowhere else.\n\n"
    "N-scan"
)


def _key(value: str) -> str:
    """A counter key: the e-mail as typed, normalised; NUL bytes dropped (PostgreSQL refuses
    them in text), cut to the column's length."""
    return normalise_email(value).replace("\x00", "")[:254]


async def check_login_allowed(
    db: AsyncSession, *, email: str, address: str, per_address_per_minute: int
) -> None:
    """Raise :class:`TooManyAttempts` when this address or this account is over its limit."""
    now = utcnow()
    wait = await seconds_until_below(
        db,
        LoginFailure.failed_at,
        LoginFailure.account == _key(email),
        ACCOUNT_FAILURES_PER_HOUR,
        ACCOUNT_WINDOW,
        now,
    )
    if wait is not None:
        message = _(
            "Too many failed attempts to log in with this e-mail address. "
            "Logging in is blocked for at most an hour."
        )
        raise TooManyAttempts(message, wait, errors={"email": message})
    wait = await seconds_until_below(
        db,
        LoginFailure.failed_at,
        LoginFailure.address == _key(address),
        per_address_per_minute,
        ADDRESS_WINDOW,
        now,
    )
    if wait is not None:
        message = _("Too many failed attempts to log in. Wait a minute and try again.")
        raise TooManyAttempts(message, wait, errors={"email": message})


async def record_login_failure(db: AsyncSession, *, email: str, address: str) -> bool:
    """Store one failure; True when it is the one that reaches the account limit."""
    account = _key(email)
    now = utcnow()
    db.add(LoginFailure(account=account, address=_key(address)[:64], failed_at=now))
    await db.flush()
    count = await db.scalar(
        select(func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.account == account, LoginFailure.failed_at > now - ACCOUNT_WINDOW)
    )
    return count == ACCOUNT_FAILURES_PER_HOUR


async def locked_account_mail(db: AsyncSession, email: str) -> tuple[str, str, str] | None:
    """(to, subject, body) of the notice to the holder of a locked account, in their language;
    None when no active account has this address."""
    if "\x00" in email:
        return None
    user = await db.scalar(
        select(User).where(
            func.lower(User.email) == normalise_email(email), User.is_active.is_(True)
        )
    )
    if user is None:
        return None
    messages = translations(user.language)
    variables = {"name": user.name, "email": user.email, "count": ACCOUNT_FAILURES_PER_HOUR}
    return (
        user.email,
        messages.ugettext(LOCKED_SUBJECT),
        messages.ugettext(LOCKED_BODY) % variables,
    )


async def purge_login_failures(db: AsyncSession) -> int:
    """Remove failures that no longer count for any rule; the number removed."""
    result = await db.execute(
        delete(LoginFailure).where(LoginFailure.failed_at <= utcnow() - ACCOUNT_WINDOW)
    )
    return int(getattr(result, "rowcount", 0) or 0)
