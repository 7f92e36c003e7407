"""Teams, their municipalities and members, and the admin flag: one place for the CLI
(`python -m gateway.inbox`) and the admin pages (`/inbox/admin`, gateway/inbox/admin.py).

Keyword-only functions; the caller owns the session and commits. Errors are `TeamError` with a
catalogue key (`inbox.<key>`) the pages show and the CLI prints.

`seed_demo` creates the embedded defaults of the local run (scripts/run): voorbeeldstad served
by its own team, rivierdam and heidebeek by one regional team, an admin and a consultant.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.inbox.models import Consultant, ConsultantTeam, Team, TeamMunicipality
from gateway.inbox.security import create_consultant

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class TeamError(ValueError):
    """A refused change; `key` is the message in the inbox catalogue."""

    def __init__(self, key: str, detail: str = "") -> None:
        super().__init__(detail or key)
        self.key = key


def known_municipalities() -> list[str]:
    """The municipality codes of knowledge/municipalities/ (file stems)."""
    from knowledge.loader import municipalities

    return sorted(municipalities())


def list_teams(*, session: Session) -> list[Team]:
    return list(session.scalars(select(Team).order_by(Team.name)))


def find_team(*, session: Session, slug: str) -> Team | None:
    return session.scalars(select(Team).where(Team.slug == slug.strip().lower())).one_or_none()


def find_consultant(*, session: Session, email: str) -> Consultant | None:
    return session.scalars(select(Consultant).where(Consultant.email == email.strip().lower())).one_or_none()


def create_team(*, session: Session, slug: str, name: str) -> Team:
    slug = slug.strip().lower()
    if not SLUG.match(slug):
        raise TeamError("admin_team_slug_invalid", f"invalid team code {slug!r}: use a-z, 0-9 and -")
    if find_team(session=session, slug=slug) is not None:
        raise TeamError("admin_team_exists", f"team {slug!r} exists already")
    team = Team(slug=slug, name=(name.strip() or slug)[:200])
    session.add(team)
    session.flush()
    return team


def add_municipality(*, session: Session, team: Team, municipality: str) -> bool:
    """Add a municipality (a file in knowledge/municipalities/); False when already there."""
    municipality = municipality.strip().lower()
    if municipality not in known_municipalities():
        raise TeamError("admin_municipality_unknown", f"unknown municipality {municipality!r}")
    if municipality in team.municipality_codes:
        return False
    team.municipalities.append(TeamMunicipality(team_id=team.id, municipality=municipality))
    session.flush()
    return True


def remove_municipality(*, session: Session, team: Team, municipality: str) -> bool:
    for row in list(team.municipalities):
        if row.municipality == municipality:
            team.municipalities.remove(row)
            session.flush()
            return True
    return False


def add_member(*, session: Session, team: Team, consultant: Consultant) -> bool:
    if session.get(ConsultantTeam, (consultant.id, team.id)) is not None:
        return False
    session.add(ConsultantTeam(consultant_id=consultant.id, team_id=team.id))
    session.flush()
    return True


def remove_member(*, session: Session, team: Team, consultant_id: int) -> bool:
    row = session.get(ConsultantTeam, (consultant_id, team.id))
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def members(*, session: Session, team: Team) -> list[Consultant]:
    statement = (
        select(Consultant)
        .join(ConsultantTeam, ConsultantTeam.consultant_id == Consultant.id)
        .where(ConsultantTeam.team_id == team.id)
        .order_by(Consultant.name)
    )
    return list(session.scalars(statement))


def teams_of(*, session: Session) -> dict[int, list[str]]:
    """Consultant id → the names of their teams."""
    result: dict[int, list[str]] = {}
    rows = session.execute(
        select(ConsultantTeam.consultant_id, Team.name).join(Team, Team.id == ConsultantTeam.team_id).order_by(Team.name)
    )
    for consultant_id, name in rows:
        result.setdefault(consultant_id, []).append(name)
    return result


def set_notify(*, session: Session, team: Team, emails: str, webhook_url: str | None = None) -> None:
    addresses = [address.strip() for address in emails.replace(";", ",").split(",") if address.strip()]
    team.notify_emails = ", ".join(addresses) or None
    if webhook_url is not None:
        team.webhook_url = webhook_url.strip() or None
    session.flush()


# -- embedded defaults of the local run -------------------------------------------------------
@dataclass(frozen=True)
class DemoTeam:
    slug: str
    name: str
    municipalities: tuple[str, ...]


DEMO_TEAMS = (
    DemoTeam("voorbeeldstad", "Team Voorbeeldstad", ("voorbeeldstad",)),
    DemoTeam("regio-rivierland", "Regio Rivierland", ("rivierdam", "heidebeek")),
)
DEMO_ADMIN = ("admin@example.org", "Beheerder (demo)")
DEMO_CONSULTANTS = (
    ("regievoerder@voorbeeldstad.example", "Regievoerder Voorbeeldstad (demo)", "voorbeeldstad"),
    ("regievoerder@rivierland.example", "Regievoerder Rivierland (demo)", "regio-rivierland"),
)


def seed_demo(*, session: Session, password: str | None = None) -> tuple[list[str], str | None]:
    """Create the demo teams and accounts when missing (idempotent). Returns (what was created,
    the accounts' password when new accounts were made: given, or random)."""
    created: list[str] = []
    available = set(known_municipalities())
    for demo in DEMO_TEAMS:
        team = find_team(session=session, slug=demo.slug)
        if team is None:
            team = create_team(session=session, slug=demo.slug, name=demo.name)
            created.append(f"team {demo.slug}")
        for municipality in demo.municipalities:
            if municipality in available and add_municipality(session=session, team=team, municipality=municipality):
                created.append(f"{demo.slug} serves {municipality}")
    secret: str | None = None
    accounts = [(DEMO_ADMIN[0], DEMO_ADMIN[1], None), *DEMO_CONSULTANTS]
    for email, name, team_slug in accounts:
        consultant = find_consultant(session=session, email=email)
        if consultant is None:
            secret = secret or password or secrets.token_urlsafe(12)
            consultant = create_consultant(session=session, email=email, name=name, password=secret)
            created.append(f"consultant {email}")
        if team_slug is None:
            if not consultant.is_admin:
                consultant.is_admin = True
                created.append(f"{email} is admin")
            for demo in DEMO_TEAMS:  # the demo admin sees the whole demo region
                team = find_team(session=session, slug=demo.slug)
                if team is not None and add_member(session=session, team=team, consultant=consultant):
                    created.append(f"{email} in {demo.slug}")
            continue
        team = find_team(session=session, slug=team_slug)
        if team is not None and add_member(session=session, team=team, consultant=consultant):
            created.append(f"{email} in {team_slug}")
    session.flush()
    return created, secret
