"""Start the real stack on free localhost ports: Rasa engine (trained model) and gateway, with the
custom actions inside the engine as scripts/run has them (WEGWIJS_ACTIONS_MODULE=actions).

These tests need bot/models/wegwijs.tar.gz (scripts/train) and both environments (scripts/setup).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.scale.services import free_port, wait_until_up

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "bot" / "models" / "wegwijs.tar.gz"
RASA = ROOT / ".venv-engine" / "bin" / "rasa"
GATEWAY_PY = ROOT / ".venv-gateway" / "bin" / "python"
TOKEN = "model-test-token"
ACTIONS_TOKEN = "model-test-actions-token"


class Stack:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.rasa_port, self.actions_port, self.gateway_port = free_port(), free_port(), free_port()
        self.rasa_url = f"http://127.0.0.1:{self.rasa_port}"
        self.gateway_url = f"http://127.0.0.1:{self.gateway_port}"
        self.procs: list[subprocess.Popen] = []
        self.env = dict(
            os.environ,
            RASA_TELEMETRY_ENABLED="false",
            TF_CPP_MIN_LOG_LEVEL="3",
            PYTHONWARNINGS="ignore",
            WEGWIJS_ENV="development",
            WEGWIJS_MUNICIPALITY="voorbeeldstad",
            # load and scale tests send many web chat messages from 127.0.0.1 (review finding 6 limits)
            WEGWIJS_WEBCHAT_RATE_LIMIT_PER_MINUTE="100000",
            WEGWIJS_WEBCHAT_IP_RATE_LIMIT_PER_MINUTE="100000",
            WEGWIJS_ACTIONS_MODULE="actions",
            WEGWIJS_ACTIONS_PORT=str(self.actions_port),
            WEGWIJS_ACTIONS_URL=f"http://127.0.0.1:{self.actions_port}/webhook",
            WEGWIJS_ACTIONS_TOKEN=ACTIONS_TOKEN,
            WEGWIJS_ENGINE_TRACKER_DIALECT="sqlite",
            WEGWIJS_ENGINE_TRACKER_DB=str(tmp / "trackers.db"),
            WEGWIJS_ENGINE_TRACKER_URL="",
            WEGWIJS_ENGINE_LOCK_STORE="in_memory",
            WEGWIJS_ENGINE_REDIS_HOST="127.0.0.1",
            WEGWIJS_ENGINE_REDIS_PORT="6379",
            WEGWIJS_ENGINE_REDIS_DB="1",
            WEGWIJS_ENGINE_REDIS_PASSWORD="",
            WEGWIJS_RASA_URL=self.rasa_url,
            WEGWIJS_RASA_TOKEN=TOKEN,
            WEGWIJS_PORT=str(self.gateway_port),
            WEGWIJS_HOST="127.0.0.1",
            WEGWIJS_PUBLIC_BASE_URL=self.gateway_url,
            WEGWIJS_DATABASE_URL=f"sqlite:///{tmp / 'wegwijs.db'}",
            WEGWIJS_TRACKER_URL=f"sqlite:///{tmp / 'trackers.db'}",
            WEGWIJS_SECRET_KEY="model-test-secret",
        )

    def start(self, name: str, args: list[str], cwd: Path) -> subprocess.Popen:
        log = self.tmp / f"{name}.log"
        proc = subprocess.Popen(args, cwd=cwd, env=self.env, stdout=log.open("w"), stderr=subprocess.STDOUT)
        self.procs.append(proc)
        return proc

    def up(self) -> "Stack":
        bot = ROOT / "bot"
        engine = self.start(
            "engine",
            [str(RASA), "run", "--enable-api", "--auth-token", TOKEN, "-i", "127.0.0.1", "-p", str(self.rasa_port),
             "--model", str(MODEL), "--endpoints", "endpoints.yml", "--credentials", "credentials.yml", "--logging-config-file", "logging.yml"],
            bot,
        )
        gateway = self.start("gateway", [str(GATEWAY_PY), "-m", "channels"], ROOT)
        wait_until_up(f"{self.rasa_url}/status?token={TOKEN}", engine, self.tmp / "engine.log", 240)
        wait_until_up(f"{self.gateway_url}/healthz", gateway, self.tmp / "gateway.log", 60)
        return self

    def down(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()

    # --- helpers for tests ------------------------------------------------------------------
    def parse(self, text: str) -> dict:
        r = httpx.post(f"{self.rasa_url}/model/parse", params={"token": TOKEN}, json={"text": text}, timeout=30)
        r.raise_for_status()
        return r.json()

    def rest(self, sender: str, text: str) -> list[dict]:
        r = httpx.post(f"{self.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60)
        r.raise_for_status()
        return r.json()

    def chat(self, session: str, text: str) -> list[dict]:
        r = httpx.post(f"{self.gateway_url}/webchat/api/messages", json={"session_id": session, "text": text}, timeout=60)
        r.raise_for_status()
        return r.json()["messages"]


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> Stack:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run scripts/train first")
    s = Stack(tmp_path_factory.mktemp("stack"))
    try:
        yield s.up()
    finally:
        s.down()


def texts(messages: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)
