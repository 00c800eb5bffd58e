from __future__ import annotations

import argparse

from survey.db import create_engine, create_sessionmaker
from survey.organisations.schemas import OrganisationUpdate
from survey.organisations.service import create_organisation
from survey.settings import Settings


async def create_from_cli(settings: Settings, args: argparse.Namespace) -> int:
    engine = create_engine(settings.database_url)
    try:
        async with create_sessionmaker(engine)() as db, db.begin():
            organisation = await create_organisation(
                db,
                OrganisationUpdate(
                    name=args.name,
                    enterprise_number=args.enterprise_number,
                    sector=args.sector,
                    size_band=args.size,
                    municipality=args.municipality,
                    funded_by_vgc=args.funded,
                ),
            )
        print(organisation.id)
        return 0
    finally:
        await engine.dispose()
