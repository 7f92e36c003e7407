"""Who sees what in the inbox: a consultant sees and acts only on the municipalities of their teams.

This is THE access rule of the inbox (issue #15, "Teams and access"). Every inbox page, JSON
route, export, link and count — tickets, notes, check-in cases, news, statistics — takes a
`Scope` from one of the dependencies below and filters with it. Do not write a second rule.

Use in a route::

    from gateway.inbox.access import ApiScope, PageScope, not_found

    @page_router.get("/cases/{case_id}")
    def case_page(request: Request, sessions: SessionFactoryDep, scope: PageScope, case_id: int):
        with sessions() as session:
            case = session.scalars(
                select(Case).where(Case.id == case_id, scope.where(Case.municipality))
            ).first()
            if case is None:  # missing OR another municipality's: the same 404
                raise not_found()

    lists / counts:  select(Ticket).where(scope.where(Ticket.municipality))
    a loaded row:    scope.require(row.municipality)      # raises the 404 when outside
    a conversation:  scope.where(Conversation.municipality)
    a choice list:   scope.codes                           # sorted municipality codes

`PageScope` (pages: no login → redirect to the login page), `PageFormScope` (page POST: also the
CSRF check), `ApiScope` (JSON: no login → 401), `ApiWriteScope` (JSON POST: also CSRF). They
reuse the login dependencies of `gateway.inbox.deps` (FastAPI caches them per request, so a
route may take both `PageConsultant` and `PageScope`). `scope.consultant` is the logged-in
consultant. Admin pages use `PageAdmin` / `PageFormAdmin` (403 for non-admins).

Rules:
- `Scope.municipalities` is the set of municipalities of the consultant's teams
  (inbox_consultant_teams → inbox_team_municipalities). A consultant in no team sees nothing.
- A row whose municipality is None (a conversation before its municipality is known, a ticket
  from before migration tenancy_0001) belongs to the deployment default `WEGWIJS_MUNICIPALITY`
  (`Settings.municipality`); `where` and `allows` apply that.
- Admin (`Consultant.is_admin`) manages teams and consultants; it gives no access to tickets or
  cases beyond the admin's own teams.
- Outside the scope answers 404, never 403, so an id does not reveal that it exists.

tests/gateway/inbox/test_isolation.py walks every /inbox route of the app and fails on a route
that leaks another municipality's data (register a new path parameter's name there).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.orm import Session

from gateway.inbox.deps import (
    ApiConsultant,
    ApiWriteConsultant,
    PageConsultant,
    PageFormConsultant,
    get_session_factory,
)
from gateway.inbox.i18n import ui
from gateway.inbox.models import Consultant, ConsultantTeam, Team, TeamMunicipality, Ticket


@dataclass(frozen=True)
class Scope:
    """The municipalities one consultant may see, and the deployment's default municipality."""

    consultant: Consultant
    municipalities: frozenset[str]
    default_municipality: str

    @property
    def consultant_id(self) -> int:
        return self.consultant.id

    @property
    def is_admin(self) -> bool:
        return bool(self.consultant.is_admin)

    @property
    def codes(self) -> list[str]:
        return sorted(self.municipalities)

    def allows(self, municipality: str | None) -> bool:
        """True when a row of this municipality (None: the deployment default) is visible."""
        return (municipality or self.default_municipality) in self.municipalities

    def where(self, column: Any) -> ColumnElement[bool]:
        """The SQL condition "this municipality column is visible" (one WHERE, also for counts)."""
        if not self.municipalities:
            return false()
        clause: ColumnElement[bool] = column.in_(self.codes)
        if self.default_municipality in self.municipalities:
            clause = or_(clause, column.is_(None))
        return clause

    def require(self, municipality: str | None) -> None:
        """Raise the 404 when a loaded row's municipality is outside the scope."""
        if not self.allows(municipality):
            raise not_found()

    def narrowed(self, municipalities: Iterable[str]) -> Scope:
        """The same consultant, limited to some of their municipalities (a filter, never wider)."""
        return Scope(self.consultant, self.municipalities & frozenset(municipalities), self.default_municipality)


def not_found() -> HTTPException:
    """The one answer for "does not exist" and "not yours" alike."""
    return HTTPException(status.HTTP_404_NOT_FOUND, detail=ui("not_found"))


def municipalities_of(session: Session, consultant_id: int) -> frozenset[str]:
    statement = (
        select(TeamMunicipality.municipality)
        .join(ConsultantTeam, ConsultantTeam.team_id == TeamMunicipality.team_id)
        .where(ConsultantTeam.consultant_id == consultant_id)
        .distinct()
    )
    return frozenset(session.scalars(statement))


def scope_for(session: Session, consultant: Consultant, default_municipality: str) -> Scope:
    return Scope(consultant, municipalities_of(session, consultant.id), default_municipality)


def teams_serving(session: Session, municipality: str) -> list[Team]:
    """The teams that serve a municipality (for notifications and office hours)."""
    statement = (
        select(Team)
        .join(TeamMunicipality, TeamMunicipality.team_id == Team.id)
        .where(TeamMunicipality.municipality == municipality)
        .order_by(Team.id)
    )
    return list(session.scalars(statement))


def visible_ticket(session: Session, scope: Scope, ticket_id: int) -> Ticket | None:
    """The ticket when it exists and is in the scope, else None (answer 404 either way)."""
    statement = select(Ticket).where(Ticket.id == ticket_id, scope.where(Ticket.municipality))
    return session.scalars(statement).first()


# -- FastAPI dependencies ---------------------------------------------------------------
def _scope(request: Request, consultant: Consultant) -> Scope:
    default = request.app.state.settings.municipality
    with get_session_factory(request)() as session:
        return scope_for(session, consultant, default)


def page_scope(request: Request, consultant: PageConsultant) -> Scope:
    return _scope(request, consultant)


def page_form_scope(request: Request, consultant: PageFormConsultant) -> Scope:
    return _scope(request, consultant)


def api_scope(request: Request, consultant: ApiConsultant) -> Scope:
    return _scope(request, consultant)


def api_write_scope(request: Request, consultant: ApiWriteConsultant) -> Scope:
    return _scope(request, consultant)


def _require_admin(consultant: Consultant) -> Consultant:
    if not consultant.is_admin:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=ui("admin_only"))
    return consultant


def page_admin(consultant: PageConsultant) -> Consultant:
    return _require_admin(consultant)


def page_form_admin(consultant: PageFormConsultant) -> Consultant:
    return _require_admin(consultant)


PageScope = Annotated[Scope, Depends(page_scope)]
PageFormScope = Annotated[Scope, Depends(page_form_scope)]
ApiScope = Annotated[Scope, Depends(api_scope)]
ApiWriteScope = Annotated[Scope, Depends(api_write_scope)]
PageAdmin = Annotated[Consultant, Depends(page_admin)]
PageFormAdmin = Annotated[Consultant, Depends(page_form_admin)]
