"""The domain's errors: services raise them, and ``survey.web.problems`` maps them (and
framework errors) to responses."""

from __future__ import annotations

from typing import Any

from survey.i18n import N_

# Set in the request scope once the caller and the language are known.
PREPARED_KEY = "survey.prepared"


class DomainError(Exception):
    """A refusal the person can act on; ``title`` is an English message id, translated into
    the request's language when the error is answered, like the ``detail`` the service gave."""

    status_code = 400
    title = N_("Bad request")

    def __init__(
        self, detail: str | None = None, *, title: str | None = None, **extra: Any
    ) -> None:
        super().__init__(detail or title or self.title)
        self.detail = detail
        # A title in the user's language for this case, instead of the status's usual one.
        self.own_title = title
        self.extra = extra


class NotAuthenticated(DomainError):
    status_code = 401
    title = N_("Not logged in")


class Forbidden(DomainError):
    status_code = 403
    title = N_("Not allowed")


class NotFound(DomainError):
    status_code = 404
    title = N_("Not found")


class Conflict(DomainError):
    status_code = 409
    title = N_("Conflict")


class UnsupportedContent(DomainError):
    """A body of a kind the route does not take (a form sent where JSON is expected)."""

    status_code = 415
    title = N_("Something in the request is not right")


class Invalid(DomainError):
    """Input that breaks a rule; ``errors`` maps field names to messages for the user."""

    status_code = 400
    title = N_("Invalid input")

    def __init__(self, errors: dict[str, str], detail: str | None = None) -> None:
        super().__init__(detail or next(iter(errors.values()), None), errors=errors)
        self.errors = errors


class TooManyAttempts(DomainError):
    """A limit on attempts was reached; ``retry_after`` seconds until it lifts (DESIGN §9: 429).

    ``errors`` names the field a form shows the message at, as :class:`Invalid` does.
    """

    status_code = 429
    title = N_("Too many attempts")

    def __init__(self, detail: str, retry_after: int, errors: dict[str, str] | None = None) -> None:
        extra: dict[str, Any] = {"errors": errors} if errors else {}
        super().__init__(detail, **extra)
        self.retry_after = max(int(retry_after), 1)
        self.errors = errors or {}

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class CountRuleBroken(Invalid):
    """A count that breaks a rule of its questionnaire (a whole number; a subgroup at most its
    total). Saving the other count first may make it valid, so forms can try it again."""
