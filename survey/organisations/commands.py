"""`survey org create` and `survey user create` (a user is tied to an organisation by its
enterprise number, so creating one from the command line needs the organisations)."""

from __future__ import annotations

import argparse

from sqlalchemy import select

from survey.accounts.models import Provider, Role
from survey.accounts.service import create_user
from survey.db import command_session
from survey.errors import Invalid
from survey.organisations.models import Organisation
from survey.organisations.reference import normalise_enterprise_number
from survey.organisations.schemas import OrganisationUpdate
from survey.organisations.service import create_organisation, profile_errors
from survey.settings import Settings
from survey.web.forms import decode_form


async def create_from_cli(settings: Settings, args: argparse.Namespace) -> int:
    async with command_session(settings.database_url) as db:
        async with db.begin():
            values = {
                "name": args.name,
                "enterprise_number": args.enterprise_number,
                "sector": args.sector,
                "size_band": args.size,
                "municipality": args.municipality,
                "funded_by_vgc": args.funded,
            }
            profile = decode_form(values, OrganisationUpdate, rules=profile_errors)
            organisation = await create_organisation(db, profile)
        print(organisation.id)
        return 0


async def create_user_from_cli(settings: Settings, args: argparse.Namespace, password: str) -> int:
    async with command_session(settings.database_url) as db:
        async with db.begin():
            organisation_id = None
            if args.organisation:
                number = normalise_enterprise_number(args.organisation)
                if number is None:
                    raise Invalid({"organisation": "not a valid enterprise number"})
                organisation_id = await db.scalar(
                    select(Organisation.id).where(Organisation.enterprise_number == number)
                )
                if organisation_id is None:
                    raise Invalid(
                        {"organisation": f"no organisation with enterprise number {number}"}
                    )
            user = await create_user(
                db,
                email=args.email,
                name=args.name or args.email,
                password=password,
                role=Role(args.role),
                organisation_id=organisation_id,
                provider=Provider(args.provider) if args.provider else None,
                language=args.language,
            )
        print(user.id)
        return 0
