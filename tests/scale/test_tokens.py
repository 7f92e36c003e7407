"""The engine's HTTP API and the action server refuse requests without their token, and listen
on 127.0.0.1 only (checked against the real processes)."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.scale.services import ACTIONS_TOKEN, TOKEN, Stack

pytestmark = pytest.mark.services


@pytest.mark.parametrize("token", [None, "wrong-token"], ids=["without a token", "with a wrong token"])
def test_the_engine_http_api_refuses_requests(two_engines: Stack, token: str | None) -> None:
    base = two_engines.engine_urls[0]
    params = {"token": token} if token else {}
    sender = uuid.uuid4().hex
    calls = [
        httpx.get(f"{base}/conversations/{sender}/tracker", params=params, timeout=30),
        httpx.post(f"{base}/conversations/{sender}/tracker/events", params=params,
                   json=[{"event": "slot", "name": "language", "value": "en"}], timeout=30),
        httpx.post(f"{base}/model/parse", params=params, json={"text": "hallo"}, timeout=30),
        httpx.get(f"{base}/status", params=params, timeout=30),
        httpx.put(f"{base}/model", params=params, json={"model_file": "/etc/passwd"}, timeout=30),
    ]
    assert [r.status_code for r in calls] == [401] * len(calls)


def test_the_engine_http_api_answers_with_the_token(two_engines: Stack) -> None:
    r = httpx.get(f"{two_engines.engine_urls[0]}/status", params={"token": TOKEN}, timeout=30)
    assert r.status_code == 200


@pytest.mark.parametrize("token", [None, "wrong-token"], ids=["without a token", "with a wrong token"])
def test_the_action_server_refuses_requests(two_engines: Stack, token: str | None) -> None:
    url = f"http://127.0.0.1:{two_engines.actions_port}/webhook"
    params = {"token": token} if token else {}
    body = {"next_action": "action_start_deadlines", "sender_id": "x", "tracker": {}, "domain": {}}
    assert httpx.post(url, params=params, json=body, timeout=30).status_code == 401
    assert httpx.get(f"http://127.0.0.1:{two_engines.actions_port}/actions", params=params,
                     timeout=30).status_code == 401


def test_the_action_server_accepts_its_token(two_engines: Stack) -> None:
    r = httpx.get(f"http://127.0.0.1:{two_engines.actions_port}/actions", params={"token": ACTIONS_TOKEN},
                  timeout=30)
    assert r.status_code == 200 and isinstance(r.json(), list)


def listening_addresses(pid: int) -> set[str]:
    psutil = pytest.importorskip("psutil")
    process = psutil.Process(pid)
    addresses = set()
    for p in [process, *process.children(recursive=True)]:
        for c in p.net_connections(kind="inet"):
            if c.status == psutil.CONN_LISTEN:
                addresses.add(c.laddr.ip)
    return addresses


@pytest.mark.parametrize("name", ["engine0", "actions", "gateway"])
def test_engine_action_server_and_gateway_listen_on_localhost_only(two_engines: Stack, name: str) -> None:
    assert listening_addresses(two_engines.pid(name)) == {"127.0.0.1"}
