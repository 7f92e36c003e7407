"""Gateway CPU per web chat turn, against a fake engine (no Rasa, no action server).

Starts the gateway (`python -m channels`, SQLite in a temp dir, development settings as
tests/scale/services.py's Stack uses, rate limit raised, scheduler off) and a fake engine in a
separate process that answers POST /webhooks/rest/webhook like Rasa's REST channel: 2-3 replies
per turn (text with a source link, text with buttons, and on the "mijn termijnen" turn, one in
ten, a `custom` deadlines payload in between, which the gateway turns into an image and a
calendar message). Then it sends web chat turns (POST /webchat/api/messages): first `--serial`
turns one at a time, then `--concurrent` turns from `--workers` parallel users. For each phase it
prints the gateway process's CPU time per turn (psutil user+system deltas over all its threads)
and the latency p50/p95 seen by the client.

    .venv-gateway/bin/python bench/gateway_cpu.py                      # 300 serial, 320 concurrent (8 users)
    .venv-gateway/bin/python bench/gateway_cpu.py --serial 100 --concurrent 0
    .venv-gateway/bin/python bench/gateway_cpu.py --polls 500           # also the web chat's GET poll
    .venv-gateway/bin/python bench/gateway_cpu.py --profile /tmp/gw.txt   # py-spy raw stacks of the gateway
    .venv-gateway/bin/python bench/gateway_cpu.py --json out.json
    mkdir /tmp/before && git archive HEAD | tar -x -C /tmp/before     # A/B against the last commit:
    .venv-gateway/bin/python bench/gateway_cpu.py --root /tmp/before

CPU is what the gateway itself burns (the fake engine and this client run in other processes), so
it is a fair number to compare before/after a change even on a busy machine; latency is not.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.scale.services import free_port, wait_until_up  # noqa: E402

GATEWAY_PY = ROOT / ".venv-gateway" / "bin" / "python"
TOKEN = "gateway-cpu-token"
TURNS_PER_USER = 10
DEADLINES_INPUT = {"pip_date": "2025-02-28", "today": "2025-06-01", "hours_bow": 200}
QUESTIONS = [
    "hallo", "wat kost inburgeren?", "wat is een PIP?", "hoe lang heb ik de tijd?", "mijn termijnen",
    "kan ik verlenging krijgen?", "wat is de MAP?", "what is the learning route?", "dank je", "doei",
]


# -- the fake engine (runs in its own process: `gateway_cpu.py --fake-engine PORT`) ----------------
def fake_replies(body: dict) -> list[dict]:
    """Replies shaped like Rasa's REST channel: recipient_id + text/buttons, or custom."""
    sender = body.get("sender", "")
    message = str(body.get("message", ""))
    replies: list[dict] = [
        {
            "recipient_id": sender,
            "text": "Inburgeren is verplicht voor gezinsmigranten. U volgt een leerroute die past bij u. "
            f"Bron: https://www.inburgeren.nl/ ({len(message)} tekens ontvangen)",
        },
        {
            "recipient_id": sender,
            "text": "Wilt u nog iets weten?",
            "buttons": [
                {"title": "Wat is een PIP?", "payload": "/faq_pip"},
                {"title": "Mijn termijn", "payload": "/ask_deadlines"},
                {"title": "Met een mens praten", "payload": "/handoff"},
            ],
        },
    ]
    if message == "mijn termijnen":
        replies.insert(1, {"recipient_id": sender, "custom": {
            "wegwijs": {"type": "deadlines", "input": DEADLINES_INPUT, "lang": "nl"}}})
    return replies


class _FakeRasaHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as Rasa (Sanic) does

    def log_message(self, *args: object) -> None:  # quiet
        return None

    def _send(self, status: int, payload: bytes, content_type: str) -> None:
        # One write for head and body: separate small writes on a keep-alive connection would
        # meet delayed ACKs (Nagle) and add ~40 ms that no real engine adds.
        head = (f"HTTP/1.1 {status} OK\r\nContent-Type: {content_type}\r\n"
                f"Content-Length: {len(payload)}\r\nConnection: keep-alive\r\n\r\n").encode()
        self.wfile.write(head + payload)

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        self._send(200, b"Hello from Rasa: 3.6.21", "text/plain")

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        if self.path.startswith("/webhooks/rest/webhook"):
            self._send(200, json.dumps(fake_replies(body)).encode(), "application/json")
        else:
            self._send(200, b"{}", "application/json")


def run_fake_engine(port: int) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", port), _FakeRasaHandler)
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server.serve_forever()


# -- processes -------------------------------------------------------------------------------------
def start(tmp: Path, root: Path) -> tuple[subprocess.Popen, subprocess.Popen, str]:
    engine_port, gateway_port = free_port(), free_port()
    engine_log, gateway_log = tmp / "fake-engine.log", tmp / "gateway.log"
    engine = subprocess.Popen([sys.executable, __file__, "--fake-engine", str(engine_port)],
                              stdout=engine_log.open("w"), stderr=subprocess.STDOUT)
    wait_until_up(f"http://127.0.0.1:{engine_port}/", engine, engine_log, 60)
    gateway_url = f"http://127.0.0.1:{gateway_port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEGWIJS_")}
    env.update(
        PYTHONWARNINGS="ignore",
        WEGWIJS_ENV="development",
        WEGWIJS_MUNICIPALITY="voorbeeldstad",
        WEGWIJS_WEBCHAT_RATE_LIMIT_PER_MINUTE="100000",  # a load test from one address
        WEGWIJS_WEBCHAT_IP_RATE_LIMIT_PER_MINUTE="100000",
        WEGWIJS_RASA_URL=f"http://127.0.0.1:{engine_port}",
        WEGWIJS_RASA_TOKEN=TOKEN,
        WEGWIJS_HOST="127.0.0.1",
        WEGWIJS_PORT=str(gateway_port),
        WEGWIJS_PUBLIC_BASE_URL=gateway_url,
        WEGWIJS_DATABASE_URL=f"sqlite:///{tmp / 'wegwijs.db'}",
        WEGWIJS_SECRET_KEY="gateway-cpu-secret",
        WEGWIJS_LOG_LEVEL="WARNING",
        WEGWIJS_CHANNEL_RATE_LIMIT_PER_MINUTE="100000",
        WEGWIJS_SCHEDULER_ENABLED="false",
    )
    gateway = subprocess.Popen([str(GATEWAY_PY), "-m", "channels"], cwd=root, env=env,
                               stdout=gateway_log.open("w"), stderr=subprocess.STDOUT)
    wait_until_up(f"{gateway_url}/healthz", gateway, gateway_log, 60)
    return engine, gateway, gateway_url


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# -- load ------------------------------------------------------------------------------------------
async def user_turns(client, session: str, turns: int, latencies: list[float], errors: list[str]) -> None:
    for i in range(turns):
        text = QUESTIONS[i % len(QUESTIONS)]
        body = {"session_id": session, "text": text, "client_message_id": f"{session}-{i}"}
        started = time.perf_counter()
        response = await client.post("/webchat/api/messages", json=body)
        latencies.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            errors.append(f"HTTP {response.status_code}")
            continue
        messages = response.json()["messages"]
        expected = 4 if text == "mijn termijnen" else 2  # deadlines: text, image, calendar, buttons
        if len(messages) != expected:
            errors.append(f"{len(messages)} messages for {text!r}, expected {expected}")


async def phase(gateway_url: str, gateway_pid: int, name: str, turns: int, workers: int) -> dict:
    import httpx
    import psutil

    process = psutil.Process(gateway_pid)
    latencies: list[float] = []
    errors: list[str] = []
    per_worker = max(1, turns // workers)
    limits = httpx.Limits(max_connections=workers, max_keepalive_connections=workers)
    async with httpx.AsyncClient(base_url=gateway_url, timeout=60, limits=limits) as client:
        cpu0, wall0 = process.cpu_times(), time.perf_counter()
        async def worker(w: int) -> None:
            done = 0
            while done < per_worker:
                n = min(TURNS_PER_USER, per_worker - done)
                await user_turns(client, f"{name}-w{w:02d}-u{done:05d}", n, latencies, errors)
                done += n
        await asyncio.gather(*(worker(w) for w in range(workers)))
        cpu1, wall1 = process.cpu_times(), time.perf_counter()
    sent = per_worker * workers
    cpu_s = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
    ordered = sorted(latencies)
    return {
        "phase": name,
        "turns": sent,
        "workers": workers,
        "errors": len(errors),
        "error_examples": sorted(set(errors))[:3],
        "wall_s": round(wall1 - wall0, 2),
        "turns_per_s": round(sent / (wall1 - wall0), 1),
        "cpu_ms_per_turn": round(cpu_s * 1000 / sent, 2),
        "cpu_user_ms_per_turn": round((cpu1.user - cpu0.user) * 1000 / sent, 2),
        "cpu_system_ms_per_turn": round((cpu1.system - cpu0.system) * 1000 / sent, 2),
        "gateway_cpu_utilisation": round(cpu_s / (wall1 - wall0), 2),
        "latency_ms": {
            "p50": round(statistics.median(ordered), 1),
            "p95": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1),
            "max": round(ordered[-1], 1),
        },
    }


async def poll_phase(gateway_url: str, gateway_pid: int, polls: int) -> dict:
    """What an open chat window does every 3 s: GET the messages after the last one it has."""
    import httpx
    import psutil

    process = psutil.Process(gateway_pid)
    latencies: list[float] = []
    errors: list[str] = []
    async with httpx.AsyncClient(base_url=gateway_url, timeout=60) as client:
        session = "poll-w00-u00000"
        await user_turns(client, session, 2, [], errors)
        first = await client.get("/webchat/api/messages", params={"session_id": session})
        last = first.json()["messages"][-1]["id"]
        cpu0, wall0 = process.cpu_times(), time.perf_counter()
        for _ in range(polls):
            started = time.perf_counter()
            params = {"session_id": session, "after": last}
            response = await client.get("/webchat/api/messages", params=params)
            latencies.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200 or response.json()["messages"]:
                errors.append(f"HTTP {response.status_code} {response.text[:80]}")
        cpu1, wall1 = process.cpu_times(), time.perf_counter()
    cpu_s = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
    ordered = sorted(latencies)
    return {
        "phase": "poll", "turns": polls, "workers": 1, "errors": len(errors),
        "error_examples": sorted(set(errors))[:3], "wall_s": round(wall1 - wall0, 2),
        "turns_per_s": round(polls / (wall1 - wall0), 1),
        "cpu_ms_per_turn": round(cpu_s * 1000 / polls, 2),
        "cpu_user_ms_per_turn": round((cpu1.user - cpu0.user) * 1000 / polls, 2),
        "cpu_system_ms_per_turn": round((cpu1.system - cpu0.system) * 1000 / polls, 2),
        "gateway_cpu_utilisation": round(cpu_s / (wall1 - wall0), 2),
        "latency_ms": {"p50": round(statistics.median(ordered), 1),
                       "p95": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1),
                       "max": round(ordered[-1], 1)},
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--fake-engine", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--serial", type=int, default=300, help="turns sent one at a time")
    parser.add_argument("--concurrent", type=int, default=320, help="turns sent by --workers parallel users")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--polls", type=int, default=0, help="also GET-poll this many times (per-poll CPU)")
    parser.add_argument("--warmup", type=int, default=30, help="turns before measuring (not counted)")
    parser.add_argument("--profile", type=Path,
                        help="py-spy record (raw) of the gateway during the measured phases")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="run the gateway from this source tree (e.g. an older version, for A/B)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs, database)")
    args = parser.parse_args()
    if args.fake_engine:
        run_fake_engine(args.fake_engine)
        return 0

    tmp = Path(tempfile.mkdtemp(prefix="wegwijs-gwcpu-"))
    engine, gateway, url = start(tmp, args.root)
    spy = None
    try:
        results: dict = {"gateway_pid": gateway.pid, "phases": []}
        asyncio.run(phase(url, gateway.pid, "warmup", args.warmup, 1))
        if args.profile:
            py_spy = shutil.which("py-spy") or str(ROOT / ".venv-gateway" / "bin" / "py-spy")
            spy = subprocess.Popen([py_spy, "record", "-p", str(gateway.pid), "-r", "200", "--format", "raw",
                                    "-o", str(args.profile), "--nonblocking"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(1.0)
        if args.serial:
            results["phases"].append(asyncio.run(phase(url, gateway.pid, "serial", args.serial, 1)))
        if args.concurrent:
            results["phases"].append(
                asyncio.run(phase(url, gateway.pid, "concurrent", args.concurrent, args.workers)))
        if args.polls:
            results["phases"].append(asyncio.run(poll_phase(url, gateway.pid, args.polls)))
    finally:
        if spy is not None:
            spy.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
            try:
                spy.wait(timeout=30)
            except subprocess.TimeoutExpired:
                spy.kill()
        stop(gateway)
        stop(engine)
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    for row in results["phases"]:
        unit = "polls" if row["phase"] == "poll" else "turns"
        print(f"{row['phase']:>10}: {row['turns']:4d} {unit} ({row['workers']} users) "
              f"{row['cpu_ms_per_turn']:6.2f} CPU ms/{unit[:-1]} (user {row['cpu_user_ms_per_turn']:.2f}, "
              f"sys {row['cpu_system_ms_per_turn']:.2f}), latency p50 {row['latency_ms']['p50']:.1f} ms "
              f"p95 {row['latency_ms']['p95']:.1f} ms, {row['turns_per_s']:.1f} {unit}/s, "
              f"errors {row['errors']}"
              + (f" {row['error_examples']}" if row["errors"] else ""))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 1 if any(r["errors"] for r in results["phases"]) else 0


if __name__ == "__main__":
    sys.exit(main())
