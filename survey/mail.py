"""Outgoing e-mail: through the SMTP server of the settings, or into the outbox folder.

Without ``SURVEY_SMTP_HOST`` (a laptop, the demo, the tests) every message is written
as an ``.eml`` file to ``<data dir>/outbox``, where a developer can open it.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from survey.settings import Settings


def header_safe(value: str) -> str:
    """A header value on one line: line breaks and other control characters become spaces."""
    return "".join(ch if ch.isprintable() else " " for ch in value)


def build_message(settings: Settings, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = header_safe(settings.smtp_sender)
    message["To"] = header_safe(to)
    message["Subject"] = header_safe(subject)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="n-scan.local")
    message.set_content(body)
    return message


def _send_smtp(settings: Settings, message: EmailMessage) -> None:
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(message)


def _write_outbox(outbox: Path, message: EmailMessage) -> Path:
    outbox.mkdir(parents=True, exist_ok=True)
    path = outbox / f"{uuid.uuid4().hex}.eml"
    path.write_bytes(bytes(message))
    return path


async def send_mail(settings: Settings, to: str, subject: str, body: str) -> None:
    """Send one plain-text message (SMTP in a worker thread, or a file in the outbox)."""
    message = build_message(settings, to, subject, body)
    if settings.smtp_host:
        await asyncio.to_thread(_send_smtp, settings, message)
    else:
        await asyncio.to_thread(_write_outbox, settings.outbox_dir, message)
