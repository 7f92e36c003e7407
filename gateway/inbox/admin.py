"""Admin pages of the inbox: teams, the municipalities they serve, their consultants, admins.

Admins only (`Consultant.is_admin`; others get 403, no login → the login page). Every POST needs
the form's CSRF token. Managing teams gives no access to tickets (gateway/inbox/access.py).

    GET  /inbox/admin                                   teams and consultants
    POST /inbox/admin/teams                             create a team (slug, name)
    GET  /inbox/admin/teams/{team_id}                   one team
    POST /inbox/admin/teams/{team_id}/municipalities    add (municipality) or remove (remove=1)
    POST /inbox/admin/teams/{team_id}/members           add (consultant_id) or remove (remove=1)
    POST /inbox/admin/teams/{team_id}/notify            the team's notification e-mail addresses
    POST /inbox/admin/consultants                       create an account (email, name, password, team)
    POST /inbox/admin/consultants/{consultant_id}/admin make (admin=1) or revoke an admin
    POST /inbox/admin/consultants/{consultant_id}/active  block (active=0; sessions stop) or unblock
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gateway.inbox import teams
from gateway.inbox.access import PageAdmin, PageFormAdmin
from gateway.inbox.deps import SessionFactoryDep
from gateway.inbox.i18n import ui
from gateway.inbox.models import Consultant, Team
from gateway.inbox.routes import _render
from gateway.inbox.security import create_consultant
from gateway.inbox.views import municipality_labels

admin_router = APIRouter(prefix="/inbox/admin", include_in_schema=False)
Id = Annotated[int, PathParam(ge=1, le=2_147_483_647)]


def _to(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=status.HTTP_303_SEE_OTHER)


def _team(session: Session, team_id: int) -> Team:
    team = session.get(Team, team_id)
    if team is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=ui("not_found"))
    return team


@admin_router.get("", response_class=HTMLResponse)
def admin_page(request: Request, sessions: SessionFactoryDep, consultant: PageAdmin) -> HTMLResponse:
    with sessions() as session:
        rows = [
            {"id": team.id, "slug": team.slug, "name": team.name,
             "municipalities": [name for _, name in municipality_labels(team.municipality_codes)],
             "members": len(team.members)}
            for team in teams.list_teams(session=session)
        ]
        memberships = teams.teams_of(session=session)
        consultants = [
            {"id": c.id, "name": c.name, "email": c.email, "active": c.active, "is_admin": c.is_admin,
             "teams": memberships.get(c.id, [])}
            for c in session.scalars(select(Consultant).order_by(Consultant.name))
        ]
    return _render(
        request, "admin.html", {"consultant": consultant, "teams": rows, "consultants": consultants},
    )


@admin_router.post("/teams")
def create_team_form(
    request: Request, sessions: SessionFactoryDep, _: PageFormAdmin,
    slug: Annotated[str, Form(max_length=64)] = "", name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    with sessions() as session:
        try:
            team = teams.create_team(session=session, slug=slug, name=name)
        except teams.TeamError as exc:
            request.session["flash"] = ui(exc.key)
            return _to("/inbox/admin")
        session.commit()
        request.session["flash"] = ui("admin_team_created")
        return _to(f"/inbox/admin/teams/{team.id}")


@admin_router.get("/teams/{team_id}", response_class=HTMLResponse)
def team_page(request: Request, sessions: SessionFactoryDep, consultant: PageAdmin, team_id: Id) -> HTMLResponse:
    with sessions() as session:
        team = _team(session, team_id)
        in_team = teams.members(session=session, team=team)
        member_ids = {c.id for c in in_team}
        others = [
            c for c in session.scalars(select(Consultant).where(Consultant.active.is_(True)).order_by(Consultant.name))
            if c.id not in member_ids
        ]
        context = {
            "consultant": consultant,
            "team": {"id": team.id, "slug": team.slug, "name": team.name, "notify_emails": team.notify_emails or ""},
            "served": municipality_labels(team.municipality_codes),
            "addable": municipality_labels([m for m in teams.known_municipalities() if m not in team.municipality_codes]),
            "members": [{"id": c.id, "name": c.name, "email": c.email} for c in in_team],
            "others": [{"id": c.id, "name": c.name, "email": c.email} for c in others],
        }
    return _render(request, "admin_team.html", context)


@admin_router.post("/teams/{team_id}/municipalities")
def team_municipality_form(
    request: Request, sessions: SessionFactoryDep, _: PageFormAdmin, team_id: Id,
    municipality: Annotated[str, Form(max_length=64)] = "", remove: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    with sessions() as session:
        team = _team(session, team_id)
        try:
            if remove:
                teams.remove_municipality(session=session, team=team, municipality=municipality)
                request.session["flash"] = ui("admin_municipality_removed")
            else:
                teams.add_municipality(session=session, team=team, municipality=municipality)
                request.session["flash"] = ui("admin_municipality_added")
        except teams.TeamError as exc:
            request.session["flash"] = ui(exc.key)
        session.commit()
    return _to(f"/inbox/admin/teams/{team_id}")


@admin_router.post("/teams/{team_id}/members")
def team_member_form(
    request: Request, sessions: SessionFactoryDep, _: PageFormAdmin, team_id: Id,
    consultant_id: Annotated[int, Form(ge=1, le=2_147_483_647)], remove: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    with sessions() as session:
        team = _team(session, team_id)
        if remove:
            teams.remove_member(session=session, team=team, consultant_id=consultant_id)
            request.session["flash"] = ui("admin_member_removed")
        else:
            member = session.get(Consultant, consultant_id)
            if member is None:
                raise HTTPException(status.HTTP_404_NOT_FOUND, detail=ui("not_found"))
            teams.add_member(session=session, team=team, consultant=member)
            request.session["flash"] = ui("admin_member_added")
        session.commit()
    return _to(f"/inbox/admin/teams/{team_id}")


@admin_router.post("/teams/{team_id}/notify")
def team_notify_form(
    request: Request, sessions: SessionFactoryDep, _: PageFormAdmin, team_id: Id,
    notify_emails: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    with sessions() as session:
        team = _team(session, team_id)
        teams.set_notify(session=session, team=team, emails=notify_emails)
        session.commit()
    request.session["flash"] = ui("admin_team_notify_saved")
    return _to(f"/inbox/admin/teams/{team_id}")


@admin_router.post("/consultants")
def create_consultant_form(
    request: Request, sessions: SessionFactoryDep, _: PageFormAdmin,
    email: Annotated[str, Form(max_length=254)] = "", name: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=200)] = "", team_id: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    """A new account with a first password (the consultant changes nothing else here)."""
    with sessions() as session:
        team = session.get(Team, int(team_id)) if team_id.isdigit() else None
        try:
            created = create_consultant(session=session, email=email, name=name or email, password=password)
        except ValueError:
            request.session["flash"] = ui("admin_consultant_refused")
            return _to("/inbox/admin")
        if team is not None:
            teams.add_member(session=session, team=team, consultant=created)
        session.commit()
    request.session["flash"] = ui("admin_consultant_created")
    return _to("/inbox/admin")


@admin_router.post("/consultants/{consultant_id}/active")
def consultant_active_form(
    request: Request, sessions: SessionFactoryDep, me: PageFormAdmin, consultant_id: Id,
    active: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    return _set_consultant_flag(request, sessions, me, consultant_id, "active", active, "admin_consultant_changed")


@admin_router.post("/consultants/{consultant_id}/admin")
def consultant_admin_form(
    request: Request, sessions: SessionFactoryDep, me: PageFormAdmin, consultant_id: Id,
    admin: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    return _set_consultant_flag(request, sessions, me, consultant_id, "is_admin", admin, "admin_admin_changed")


def _set_consultant_flag(
    request: Request, sessions: sessionmaker[Session], me: Consultant, consultant_id: int, flag: str, value: str,
    done: str,
) -> Response:
    """Switch a consultant's `active` or `is_admin` on or off; nobody switches themselves off."""
    on = value in ("1", "on", "true")
    if consultant_id == me.id and not on:
        request.session["flash"] = ui("admin_admin_self")
        return _to("/inbox/admin")
    with sessions() as session:
        target = session.get(Consultant, consultant_id)
        if target is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=ui("not_found"))
        setattr(target, flag, on)
        session.commit()
    request.session["flash"] = ui(done)
    return _to("/inbox/admin")
