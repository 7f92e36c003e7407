"""A fake WhatsApp for `scripts/run`: the fake Graph API as a server, and a phone to chat with it.

    python -m tests.fakes.whatsapp_phone serve                 # the fake Graph API (scripts/run starts it)
    python -m tests.fakes.whatsapp_phone send "Hoeveel tijd heb ik?"   # a user writes to the shared number
    python -m tests.fakes.whatsapp_phone send "Rivierdm" --from 31611111111
    python -m tests.fakes.whatsapp_phone send "hoi" --to 100000000000002   # Rivierdam's own number

`send` signs a webhook like Meta does (the app secret of scripts/run), posts it to the gateway's
/whatsapp/webhook, and prints what the gateway sent back to that user (texts and buttons), read
from the fake Graph API's `GET /_sent`. Settings come from the environment that scripts/run sets
(WEGWIJS_WHATSAPP_*, WEGWIJS_PORT, WEGWIJS_FAKE_WHATSAPP_PORT).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import sys
import time
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fakes.whatsapp_graph import FakeWhatsAppGraph

DEFAULT_USER = "31612345678"


def env(name: str, default: str) -> str:
    return os.environ.get(name) or default


def graph_app(fake: FakeWhatsAppGraph) -> Any:
    """The fake Graph API plus `GET /_sent?to=<wa_id>&after=<n>`: what was sent, with the number it came from."""
    app = fake.app()

    async def sent(request: Request) -> JSONResponse:
        to = request.query_params.get("to")
        after = int(request.query_params.get("after", "0"))
        items = [{"index": i, "from": number, "message": message}
                 for i, (number, message) in enumerate(zip(fake.sent_from, fake.messages, strict=True))
                 if i >= after and (to is None or message.get("to") == to)]
        return JSONResponse({"count": len(fake.messages), "messages": items})

    app.router.routes.append(Route("/_sent", sent, methods=["GET"]))
    return app


def serve(port: int) -> None:
    import uvicorn

    from knowledge.loader import municipalities

    own = [str(m.kanalen.get("whatsapp_phone_number_id")) for m in municipalities().values()
           if m.kanalen.get("whatsapp_phone_number_id")]
    fake = FakeWhatsAppGraph(
        access_token=env("WEGWIJS_WHATSAPP_ACCESS_TOKEN", "fake-whatsapp-access-token"),
        phone_number_id=env("WEGWIJS_WHATSAPP_PHONE_NUMBER_ID", "100000000000000"),
        version=env("WEGWIJS_WHATSAPP_API_VERSION", "v23.0"),
        other_phone_number_ids=tuple(own),
    )
    uvicorn.run(graph_app(fake), host="127.0.0.1", port=port, log_level="warning", access_log=False)


def webhook_body(text: str, wa_id: str, phone_number_id: str) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "0", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": phone_number_id, "phone_number_id": phone_number_id},
            "contacts": [{"profile": {"name": "Test"}, "wa_id": wa_id}],
            "messages": [{"from": wa_id, "id": f"wamid.RUN{time.time_ns()}", "timestamp": str(int(time.time())),
                          "type": "text", "text": {"body": text}}],
        }}]}],
    }


def describe(item: dict[str, Any]) -> str:
    message = item["message"]
    kind = message.get("type")
    if kind == "text":
        body = message["text"]["body"]
    elif kind == "interactive":
        interactive = message["interactive"]
        action = interactive.get("action") or {}
        titles = [b["reply"]["title"] for b in action.get("buttons") or []]
        titles += [row["title"] for section in action.get("sections") or [] for row in section.get("rows") or []]
        body = interactive["body"]["text"] + "".join(f"\n   [{t}]" for t in titles)
    else:
        body = f"({kind})"
    return f"<- ({item['from']}) {body}"


def send(text: str, wa_id: str, number: str, wait: float) -> int:
    gateway = f"http://127.0.0.1:{env('WEGWIJS_PORT', '8000')}"
    graph = f"http://127.0.0.1:{env('WEGWIJS_FAKE_WHATSAPP_PORT', '8091')}"
    secret = env("WEGWIJS_WHATSAPP_APP_SECRET", "fake-whatsapp-app-secret")
    raw = json.dumps(webhook_body(text, wa_id, number), separators=(",", ":")).encode()
    signature = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    before = httpx.get(f"{graph}/_sent").json()["count"]
    response = httpx.post(f"{gateway}/whatsapp/webhook", content=raw,
                          headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature})
    if response.status_code != 200:
        print(f"the gateway answered HTTP {response.status_code}: {response.text}", file=sys.stderr)
        return 1
    print(f"-> ({number}) {text}")
    deadline, shown = time.monotonic() + wait, 0
    while time.monotonic() < deadline:
        items = httpx.get(f"{graph}/_sent", params={"to": wa_id, "after": before}).json()["messages"]
        for item in items[shown:]:
            print(describe(item))
        shown = len(items)
        time.sleep(0.3)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sv = sub.add_parser("serve", help="run the fake Graph API")
    sv.add_argument("--port", type=int, default=int(env("WEGWIJS_FAKE_WHATSAPP_PORT", "8091")))
    sd = sub.add_parser("send", help="write to the gateway as a WhatsApp user; print the replies")
    sd.add_argument("text")
    sd.add_argument("--from", dest="wa_id", default=DEFAULT_USER, help="the user's number (wa_id)")
    sd.add_argument("--to", dest="number", default=env("WEGWIJS_WHATSAPP_PHONE_NUMBER_ID", "100000000000000"),
                    help="the phone number id written to (default: the shared number)")
    sd.add_argument("--wait", type=float, default=4.0, help="seconds to wait for replies")
    args = parser.parse_args(argv)
    if args.command == "serve":
        serve(args.port)
        return 0
    return send(args.text, args.wa_id, args.number, args.wait)


if __name__ == "__main__":
    raise SystemExit(main())
