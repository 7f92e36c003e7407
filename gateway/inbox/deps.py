"""Login and CSRF checks for the inbox routes.

Pages answer a missing login with a redirect to the login page, the JSON API with 401.
Every POST needs the session's CSRF token (form field `csrf_token` or header `X-CSRF-Token`),
otherwise 403.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request, status
from sqlalchemy.orm import Session, sessionmaker

from gateway.inbox.models import Consultant
from gateway.inbox.security import (
    CSRF_FIELD,
    CSRF_HEADER,
    POLL_HEADER,
    consultant_for_token,
    new_token,
    tokens_match,
)
from gateway.inbox.service import HandoffService


class LoginRequired(Exception):
    """Raised by page dependencies; the app answers with a redirect to the login page."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


def login_redirect_url(next_path: str) -> str:
    return f"/inbox/login?next={quote(next_path, safe='/')}"


def get_handoff(request: Request) -> HandoffService:
    return request.app.state.handoff


def get_session_factory(request: Request) -> sessionmaker[Session]:
    return request.app.state.session_factory


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    token = request.session.get("csrf")
    if not token:
        token = new_token()
        request.session["csrf"] = token
    return token


def _consultant(request: Request) -> Consultant | None:
    token = request.session.get("sid")
    if not token:
        return None
    settings = request.app.state.settings
    # The pages' background refresh (inbox.js) is not activity: it must not keep an unattended
    # session alive past the idle timeout.
    touch = request.headers.get(POLL_HEADER) != "1"
    with get_session_factory(request)() as session:
        consultant = consultant_for_token(
            session=session, token=token, hours=settings.inbox_session_hours,
            idle_minutes=settings.inbox_idle_minutes, touch=touch,
        )
        if consultant is not None:
            session.commit()
            session.expunge(consultant)
        return consultant


def page_consultant(request: Request) -> Consultant:
    consultant = _consultant(request)
    if consultant is None:
        path = request.url.path if request.method == "GET" else "/inbox"
        raise LoginRequired(path)
    return consultant


def api_consultant(request: Request) -> Consultant:
    consultant = _consultant(request)
    if consultant is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="Niet ingelogd.")
    return consultant


async def check_csrf(request: Request) -> None:
    expected = request.session.get("csrf")
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not tokens_match(expected, given):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="Ongeldig of verlopen formulier (CSRF). Laad de pagina opnieuw.")


def page_form_consultant(
    consultant: Annotated[Consultant, Depends(page_consultant)], _csrf: Annotated[None, Depends(check_csrf)]
) -> Consultant:
    """A logged-in consultant posting a form with a valid CSRF token (login is checked first)."""
    return consultant


def api_write_consultant(
    consultant: Annotated[Consultant, Depends(api_consultant)], _csrf: Annotated[None, Depends(check_csrf)]
) -> Consultant:
    return consultant


PageConsultant = Annotated[Consultant, Depends(page_consultant)]
PageFormConsultant = Annotated[Consultant, Depends(page_form_consultant)]
ApiConsultant = Annotated[Consultant, Depends(api_consultant)]
ApiWriteConsultant = Annotated[Consultant, Depends(api_write_consultant)]
HandoffDep = Annotated[HandoffService, Depends(get_handoff)]
SessionFactoryDep = Annotated[sessionmaker[Session], Depends(get_session_factory)]
