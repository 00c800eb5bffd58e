"""A reproducible demo network: organisations over sectors, sizes and municipalities,
their managers, coaches of both providers, an analyst, an admin, two rounds, and next
year's round that has not opened yet (for coaches' goals).

The same seed gives the same network. Passwords are derived from the installation's
secret and the seed, so they are printed again on every run but are not in the repo.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import random
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from survey.accounts.models import Membership, Provider, Role, User
from survey.accounts.passwords import hash_password
from survey.assessments.models import (
    Answer,
    Assessment,
    AssessmentResult,
    DimensionResult,
    Evidence,
    Response,
)
from survey.audit.models import AuditEvent
from survey.benchmarks.recompute import recompute_all
from survey.db import create_engine, create_sessionmaker, refresh_planner_statistics
from survey.demo.assessments import DemoRespondents, load_demo_assessments
from survey.indicators.models import ApiToken, IndicatorCellSet, IndicatorRelease
from survey.indicators.service import take_release
from survey.meta import AppMeta
from survey.organisations.models import Organisation
from survey.organisations.reference import (
    MUNICIPALITIES,
    OUTSIDE_BRUSSELS,
    enterprise_number_from_base,
)
from survey.questionnaires.models import QuestionnaireVersion
from survey.questionnaires.publishing import publish_definitions
from survey.respondents.models import Invitation
from survey.rounds.models import Round
from survey.rounds.service import close_moment, today
from survey.settings import Settings
from survey.trajectories.demo import load_demo_support
from survey.web.store import StoreEntry

DEMO_DOMAIN = "demo.n-scan.example"
DEMO_SEED_KEY = "demo_seed"
ORGANISATION_COUNT = 220

_SECTOR_NAMES: dict[str, tuple[tuple[str, ...], float]] = {
    "culture-community": (("Gemeenschapscentrum", "Cultuurhuis", "Buurthuis"), 0.13),
    "youth-work": (("Jeugdhuis", "Jeugdwerking", "Speelpleinwerking", "Scouts"), 0.12),
    "sport": (("Sportclub", "Voetbalclub", "Basketclub", "Zwemclub"), 0.10),
    "welfare": (("Welzijnsschakel", "Buurtwerk", "Sociaal Huis", "Ontmoetingscentrum"), 0.11),
    "health": (("Wijkgezondheidscentrum", "Huisartsenpraktijk", "Thuiszorg"), 0.08),
    "family-childcare": (("Kinderdagverblijf", "Huis van het Kind", "Opvoedingswinkel"), 0.10),
    "education": (("Basisschool", "Secundaire school", "Brede School"), 0.12),
    "adult-education-language": (("CVO", "Taalpunt", "Basiseducatie"), 0.06),
    "volunteering-associations": (("vzw", "Vrijwilligerspunt", "Vereniging"), 0.09),
    "local-public-service": (("Bibliotheek", "Dienst Samenleven", "OCMW-antenne"), 0.06),
    "other": (("Stichting", "Coöperatie", "Collectief"), 0.03),
}
_NAME_PARTS = (
    "De Linde",
    "Het Anker",
    "De Brug",
    "Kwartier",
    "De Kriek",
    "Zonnebloem",
    "Horizon",
    "De Vaart",
    "Elzenhof",
    "Ter Kameren",
    "De Pianofabriek",
    "Nova",
    "De Markt",
    "Kanaal",
    "Zennevallei",
    "De Maalbeek",
    "Regenboog",
    "Atlas",
    "Agora",
    "Mozaïek",
    "Babel",
    "Samen",
    "De Wijk",
    "Tivoli",
    "Noordster",
    "Zuidpaleis",
    "De Kaai",
    "Citadel",
    "Vlinder",
    "Oase",
)
_SIZE_WEIGHTS = {"1-9": 0.38, "10-49": 0.37, "50-249": 0.2, "250+": 0.05}


@dataclass(frozen=True, slots=True)
class DemoOrganisation:
    name: str
    enterprise_number: str
    sector: str
    size_band: str
    municipality: str
    funded_by_vgc: bool


_HOME_MUNICIPALITY = {
    "youth-work": "21012",  # Sint-Jans-Molenbeek
    "culture-community": "21004",  # Brussel
    "welfare": "21015",  # Schaarbeek
    "sport": "21001",  # Anderlecht
}


def demo_organisations(seed: int, count: int = ORGANISATION_COUNT) -> list[DemoOrganisation]:
    """The demo organisations for a seed: every sector, size band and municipality occurs."""
    rng = random.Random(seed)
    sectors = list(_SECTOR_NAMES)
    sector_weights = [_SECTOR_NAMES[s][1] for s in sectors]
    municipalities = [*MUNICIPALITIES, OUTSIDE_BRUSSELS]
    municipality_weights = [
        3.0 if code in {"21004", "21001", "21012", "21015"} else 1.0 for code in MUNICIPALITIES
    ]
    municipality_weights.append(0.6)
    organisations: list[DemoOrganisation] = []
    used_names: set[str] = set()
    used_numbers: set[str] = set()
    for index in range(count):
        # The first entries walk through every category so that each one is present.
        sector = sectors[index] if index < len(sectors) else rng.choices(sectors, sector_weights)[0]
        size_band = (
            list(_SIZE_WEIGHTS)[index % 4]
            if index < 8
            else rng.choices(list(_SIZE_WEIGHTS), list(_SIZE_WEIGHTS.values()))[0]
        )
        if index < len(municipalities):
            municipality = municipalities[index]
        elif sector in _HOME_MUNICIPALITY and rng.random() < 0.35:
            # Some sectors cluster in one municipality, as in the city, so that a few
            # sector × municipality cells of the indicators reach 5 organisations.
            municipality = _HOME_MUNICIPALITY[sector]
        else:
            municipality = rng.choices(municipalities, municipality_weights)[0]
        place = "Brussel" if municipality == OUTSIDE_BRUSSELS else MUNICIPALITIES[municipality][0]
        while True:
            prefix = rng.choice(_SECTOR_NAMES[sector][0])
            name = f"{prefix} {rng.choice(_NAME_PARTS)} {place}"
            if name not in used_names:
                break
        used_names.add(name)
        while True:
            number = enterprise_number_from_base(rng.randrange(2_000_000, 9_999_999))
            if number not in used_numbers:
                break
        used_numbers.add(number)
        organisations.append(
            DemoOrganisation(
                name=name,
                enterprise_number=number,
                sector=sector,
                size_band=size_band,
                municipality=municipality,
                funded_by_vgc=rng.random() < 0.65,
            )
        )
    return organisations


def demo_password(secret_key: str, seed: int, login: str) -> str:
    digest = hmac.new(secret_key.encode(), f"demo:{seed}:{login}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode().lower()[:16]


def demo_rounds(day: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """Last year's closed round and this year's open one (kept open for at least 30 days)."""
    year = day.year
    closes = max(dt.date(year, 12, 31), day + dt.timedelta(days=30))
    return [
        (str(year - 1), dt.date(year - 1, 1, 15), dt.date(year - 1, 12, 15)),
        (str(year), dt.date(year, 1, 15), closes),
    ]


def next_demo_round(day: dt.date) -> tuple[str, dt.date, dt.date]:
    """Next year's round, not open yet: the round that coaches' new goals aim at."""
    this_year_closes = demo_rounds(day)[-1][2]
    opens = max(dt.date(day.year + 1, 1, 15), this_year_closes + dt.timedelta(days=1))
    return str(day.year + 1), opens, opens + dt.timedelta(days=334)


@dataclass(frozen=True, slots=True)
class DemoLogin:
    role: str
    email: str
    password: str
    note: str


def demo_staff() -> list[tuple[str, str, Role, Provider | None, str]]:
    return [
        (
            f"coach.agentschap@{DEMO_DOMAIN}",
            "Samira El Amrani",
            Role.COACH,
            Provider.AGENTSCHAP,
            "nl",
        ),
        (f"coach.agentschap2@{DEMO_DOMAIN}", "Pieter Claes", Role.COACH, Provider.AGENTSCHAP, "nl"),
        (f"coach.huis@{DEMO_DOMAIN}", "Els Vermeulen", Role.COACH, Provider.HUIS, "nl"),
        (f"coach.huis2@{DEMO_DOMAIN}", "Youssef Benali", Role.COACH, Provider.HUIS, "fr"),
        (f"analyst@{DEMO_DOMAIN}", "Ann De Smet", Role.ANALYST, None, "nl"),
        (f"admin@{DEMO_DOMAIN}", "Platform Admin", Role.ADMIN, None, "en"),
    ]


def manager_email(index: int) -> str:
    return f"manager{index + 1:03d}@{DEMO_DOMAIN}"


async def _holds_other_data(db: AsyncSession) -> bool:
    marker = await db.get(AppMeta, DEMO_SEED_KEY)
    if marker is not None:
        return False
    organisations = await db.scalar(select(func.count()).select_from(Organisation))
    users = await db.scalar(select(func.count()).select_from(User))
    return bool(organisations or users)


async def _wipe(db: AsyncSession) -> None:
    for model in (
        StoreEntry,
        AuditEvent,
        IndicatorCellSet,
        IndicatorRelease,
        ApiToken,
        Evidence,
        Invitation,
        DimensionResult,
        AssessmentResult,
        Answer,
        Response,
        Assessment,
        QuestionnaireVersion,
        Membership,
        User,
        Organisation,
        Round,
        AppMeta,
    ):
        await db.execute(delete(model))


async def _load(db: AsyncSession, settings: Settings, seed: int) -> int:
    organisations = [
        Organisation(
            name=o.name,
            enterprise_number=o.enterprise_number,
            sector=o.sector,
            size_band=o.size_band,
            municipality=o.municipality,
            funded_by_vgc=o.funded_by_vgc,
        )
        for o in demo_organisations(seed)
    ]
    db.add_all(organisations)
    await db.flush()

    # One hash for all managers keeps loading fast; each staff login has its own password.
    manager_hash = hash_password(demo_password(settings.secret_key, seed, "managers"))
    rng = random.Random(seed + 1)
    first_names = (
        "An",
        "Bram",
        "Chaima",
        "David",
        "Eva",
        "Fatima",
        "Gert",
        "Hanne",
        "Ilias",
        "Joke",
        "Karim",
        "Lotte",
    )
    last_names = (
        "Peeters",
        "Janssens",
        "El Idrissi",
        "Maes",
        "Diallo",
        "Wouters",
        "Kaya",
        "Claes",
        "Nkemba",
        "Goossens",
    )
    managers: dict[int, User] = {}
    for index, organisation in enumerate(organisations):
        user = managers[organisation.id] = User(
            email=manager_email(index),
            name=f"{rng.choice(first_names)} {rng.choice(last_names)}",
            password_hash=manager_hash,
            language="fr" if index % 7 == 3 else "nl",
        )
        user.memberships = [Membership(role=Role.MANAGER, organisation_id=organisation.id)]
        db.add(user)
    for email, name, role, provider, language in demo_staff():
        user = User(
            email=email,
            name=name,
            password_hash=hash_password(demo_password(settings.secret_key, seed, email)),
            language=language,
        )
        user.memberships = [Membership(role=role, provider=provider)]
        db.add(user)
    rounds = [
        Round(name=name, opens_on=opens_on, closes_on=closes_on)
        for name, opens_on, closes_on in demo_rounds(today())
    ]
    for round_ in rounds:
        if round_.closes_on < today():
            # closed at its date, with what is taken at close taken below (the benchmarks,
            # the closing release): the housekeeping has nothing left to close
            round_.closed_at = close_moment(round_)
    db.add_all(rounds)
    db.add(AppMeta(key=DEMO_SEED_KEY, value=str(seed)))
    await db.flush()
    versions = await publish_definitions(db)
    manager_ids = {organisation_id: user.id for organisation_id, user in managers.items()}
    respondents = DemoRespondents(
        email_pattern=f"respondent{{n:03d}}@{DEMO_DOMAIN}",
        password_hash=hash_password(demo_password(settings.secret_key, seed, "respondents")),
        names=tuple(f"{first} {last}" for first in first_names for last in last_names),
    )
    count = await load_demo_assessments(
        db, seed, organisations, rounds, versions, manager_ids, respondents
    )
    await recompute_all(db)  # peer benchmarks of every round × questionnaire
    await load_demo_support(db, seed)
    for round_ in sorted(rounds, key=lambda r: r.opens_on):
        # Last year's closing release, and a release of the open round, so that an analyst
        # sees figures (and changes since last year) from the first start.
        await take_release(db, round_)
    name, opens_on, closes_on = next_demo_round(today())
    db.add(Round(name=name, opens_on=opens_on, closes_on=closes_on))
    await db.flush()
    return count


def demo_logins(settings: Settings, seed: int) -> list[DemoLogin]:
    manager_password = demo_password(settings.secret_key, seed, "managers")
    logins = [
        DemoLogin(
            "manager", manager_email(0), manager_password, "manager of the first demo organisation"
        ),
        DemoLogin(
            "manager",
            manager_email(1),
            manager_password,
            f"every manager001..{ORGANISATION_COUNT} shares this password",
        ),
        DemoLogin(
            "respondent",
            f"respondent001@{DEMO_DOMAIN}",
            demo_password(settings.secret_key, seed, "respondents"),
            "answered next to manager001; every respondentNNN shares this password",
        ),
    ]
    for email, name, role, provider, _language in demo_staff():
        note = f"{role.value}{f' ({provider.value})' if provider else ''}: {name}"
        logins.append(
            DemoLogin(role.value, email, demo_password(settings.secret_key, seed, email), note)
        )
    return logins


async def load_demo(settings: Settings, seed: int = 1, reset: bool = False) -> int:
    engine = create_engine(settings.database_url)
    try:
        async with create_sessionmaker(engine)() as db, db.begin():
            if await _holds_other_data(db):
                print(
                    "survey demo: this database holds organisations or users that are not demo data; "
                    "refusing to touch it. Point SURVEY_DATA_DIR or SURVEY_DATABASE_URL at another database."
                )
                return 1
            marker = await db.get(AppMeta, DEMO_SEED_KEY)
            if marker is not None and marker.value == str(seed) and not reset:
                print(
                    f"Demo network (seed {seed}) is already loaded; `survey demo --reset` rebuilds it."
                )
            else:
                await _wipe(db)
                assessments = await _load(db, settings, seed)
                print(
                    f"Loaded the demo network (seed {seed}): {ORGANISATION_COUNT} organisations, "
                    f"{assessments} assessments."
                )
        async with create_sessionmaker(engine)() as db, db.begin():
            await refresh_planner_statistics(db)
    finally:
        await engine.dispose()
    print("\nDemo logins:")
    for login in demo_logins(settings, seed):
        print(f"  {login.email:<40} {login.password}   {login.note}")
    return 0
