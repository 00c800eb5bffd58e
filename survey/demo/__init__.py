"""The demo network (DESIGN §10): organisations, staff, rounds and their assessments.

``network`` builds the organisations, logins and rounds; ``assessments`` fills them
with answers, respondents and results. Both are an entry point: they may use every
domain's services.
"""

from survey.demo.network import (
    DEMO_DOMAIN,
    ORGANISATION_COUNT,
    demo_logins,
    demo_organisations,
    demo_password,
    load_demo,
    manager_email,
)

__all__ = [
    "DEMO_DOMAIN",
    "ORGANISATION_COUNT",
    "demo_logins",
    "demo_organisations",
    "demo_password",
    "load_demo",
    "manager_email",
]
