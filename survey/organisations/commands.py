from __future__ import annotations

import argparse

from survey.db import command_session
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
