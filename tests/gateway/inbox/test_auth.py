"""The inbox refuses everything without a login, every POST without a valid CSRF token,
and a consultant's old session after logout."""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute

from gateway.inbox.models import Consultant, ConsultantSession
from gateway.inbox.routes import api_router, page_router
from tests.support.inbox import PASSWORD, Gateway, add_consultant, csrf_from, hand_off, login

PAGES = [
    "/inbox", "/inbox?view=closed&language=en&reason=danger", "/inbox?my_languages=1", "/inbox/tickets/{id}",
    "/inbox/stats",
]
API_READS = [
    "/inbox/api/tickets", "/inbox/api/tickets?view=mine", "/inbox/api/tickets?my_languages=1", "/inbox/api/tickets/{id}",
]
FORM_POSTS = {
    "/inbox/logout": {},
    "/inbox/languages": {"languages": "ar"},
    "/inbox/tickets/{id}/claim": {},
    "/inbox/tickets/{id}/reply": {"text": "Hallo"},
    "/inbox/tickets/{id}/notes": {"text": "Notitie"},
    "/inbox/tickets/{id}/close": {"reason": "beantwoord"},
}
API_POSTS = {
    "/inbox/api/tickets/{id}/claim": {},
    "/inbox/api/tickets/{id}/reply": {"text": "Hallo"},
    "/inbox/api/tickets/{id}/notes": {"text": "Notitie"},
    "/inbox/api/tickets/{id}/close": {"reason": "beantwoord"},
}
PUBLIC = {"/inbox/login", "/inbox/login/totp"}


@pytest.fixture
async def ticket_id(gateway: Gateway) -> int:
    add_consultant(gateway.app)
    await hand_off(gateway.client)
    return 1


def test_every_inbox_route_is_covered_by_these_tests() -> None:
    covered = {p.split("?")[0] for p in PAGES + API_READS} | set(FORM_POSTS) | set(API_POSTS) | PUBLIC
    routes = {
        r.path.replace("{ticket_id}", "{id}")
        for r in page_router.routes + api_router.routes
        if isinstance(r, APIRoute)
    }
    assert routes == covered


@pytest.mark.parametrize("path", PAGES)
async def test_a_page_without_login_redirects_to_the_login_page(gateway: Gateway, ticket_id: int, path: str) -> None:
    response = await gateway.client.get(path.format(id=ticket_id))
    assert response.status_code == 303
    assert response.headers["location"].startswith("/inbox/login?next=/inbox")


@pytest.mark.parametrize("path", API_READS)
async def test_an_api_call_without_login_is_refused_with_401(gateway: Gateway, ticket_id: int, path: str) -> None:
    response = await gateway.client.get(path.format(id=ticket_id))
    assert response.status_code == 401
    assert "Wil weten" not in response.text


@pytest.mark.parametrize("path", list(FORM_POSTS))
async def test_a_form_post_without_login_is_refused(gateway: Gateway, ticket_id: int, path: str) -> None:
    response = await gateway.client.post(path.format(id=ticket_id), data=FORM_POSTS[path])
    assert response.status_code == 303
    assert response.headers["location"].startswith("/inbox/login")


@pytest.mark.parametrize("path", list(API_POSTS))
async def test_an_api_post_without_login_is_refused_with_401(gateway: Gateway, ticket_id: int, path: str) -> None:
    response = await gateway.client.post(path.format(id=ticket_id), json=API_POSTS[path])
    assert response.status_code == 401


@pytest.mark.parametrize("token", [None, "", "forged-token"], ids=["missing", "empty", "wrong"])
@pytest.mark.parametrize("path", list(FORM_POSTS))
async def test_a_form_post_without_a_valid_csrf_token_is_refused_with_403(
    gateway: Gateway, ticket_id: int, path: str, token: str | None
) -> None:
    await login(gateway.client)
    data = dict(FORM_POSTS[path])
    if token is not None:
        data["csrf_token"] = token
    response = await gateway.client.post(path.format(id=ticket_id), data=data)
    assert response.status_code == 403
    assert (await gateway.client.get("/inbox/api/tickets/1")).json()["state"] == "waiting"


@pytest.mark.parametrize("token", [None, "forged-token"], ids=["missing", "wrong"])
@pytest.mark.parametrize("path", list(API_POSTS))
async def test_an_api_post_without_a_valid_csrf_header_is_refused_with_403(
    gateway: Gateway, ticket_id: int, path: str, token: str | None
) -> None:
    await login(gateway.client)
    headers = {"X-CSRF-Token": token} if token else {}
    response = await gateway.client.post(path.format(id=ticket_id), json=API_POSTS[path], headers=headers)
    assert response.status_code == 403
    assert (await gateway.client.get("/inbox/api/tickets/1")).json()["state"] == "waiting"


async def test_the_csrf_token_in_a_form_field_is_not_accepted_by_another_session(gateway: Gateway, ticket_id: int) -> None:
    other_token = csrf_from((await gateway.client.get("/inbox/login")).text)
    gateway.client.cookies.clear()
    await login(gateway.client)
    response = await gateway.client.post(f"/inbox/tickets/{ticket_id}/claim", data={"csrf_token": other_token})
    assert response.status_code == 403


async def test_login_without_a_csrf_token_is_refused(gateway: Gateway) -> None:
    add_consultant(gateway.app)
    response = await gateway.client.post(
        "/inbox/login", data={"email": "anna@voorbeeldstad.nl", "password": PASSWORD}
    )
    assert response.status_code == 403


async def test_a_wrong_password_does_not_log_in(gateway: Gateway) -> None:
    add_consultant(gateway.app)
    token = csrf_from((await gateway.client.get("/inbox/login")).text)
    response = await gateway.client.post(
        "/inbox/login", data={"email": "anna@voorbeeldstad.nl", "password": "wrong password!!", "csrf_token": token}
    )
    assert response.status_code == 400
    assert "klopt niet" in response.text
    assert (await gateway.client.get("/inbox")).status_code == 303


async def test_the_session_cookie_is_httponly_samesite_lax_and_limited_to_the_inbox(gateway: Gateway) -> None:
    response = await gateway.client.get("/inbox/login")
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/inbox" in cookie


async def test_a_consultant_can_read_tickets_when_logged_in(gateway: Gateway, ticket_id: int) -> None:
    await login(gateway.client)
    page = await gateway.client.get(f"/inbox/tickets/{ticket_id}")
    assert page.status_code == 200
    assert "Wat is een PIP?" in page.text
    assert (await gateway.client.get("/inbox/api/tickets")).json()["tickets"][0]["id"] == ticket_id


async def test_after_logout_a_consultant_cannot_read_tickets_even_with_the_old_cookie(
    gateway: Gateway, ticket_id: int
) -> None:
    token = await login(gateway.client)
    old_cookie = gateway.client.cookies.get("wegwijs_inbox")

    response = await gateway.client.post("/inbox/logout", data={"csrf_token": token})

    assert response.status_code == 303
    assert (await gateway.client.get(f"/inbox/tickets/{ticket_id}")).status_code == 303
    assert (await gateway.client.get("/inbox/api/tickets")).status_code == 401
    gateway.client.cookies.clear()
    gateway.client.cookies.set("wegwijs_inbox", old_cookie, domain="testserver", path="/inbox")
    assert (await gateway.client.get("/inbox/api/tickets")).status_code == 401
    with gateway.db() as session:
        assert session.query(ConsultantSession).count() == 0


async def test_a_deactivated_consultant_is_logged_out(gateway: Gateway, ticket_id: int) -> None:
    await login(gateway.client)
    with gateway.db() as session:
        session.query(Consultant).update({"active": False})
        session.commit()
    assert (await gateway.client.get("/inbox/api/tickets")).status_code == 401


async def test_a_login_redirect_never_leaves_the_inbox(gateway: Gateway) -> None:
    add_consultant(gateway.app)
    token = csrf_from((await gateway.client.get("/inbox/login")).text)
    response = await gateway.client.post(
        "/inbox/login",
        data={"email": "anna@voorbeeldstad.nl", "password": PASSWORD, "csrf_token": token, "next": "https://evil.example"},
    )
    assert response.headers["location"] == "/inbox"
