"""Start the production-shaped stack on 127.0.0.1 with free ports, for service tests and bench/.

- `Postgres`: a throw-away cluster (initdb + pg_ctl in a temp dir, trust auth on 127.0.0.1 only).
- `Redis`: redis-server in a temp dir, no persistence, 127.0.0.1 only.
- `Stack`: one action server, N Rasa engines (trained model) and the gateway, each process
  stoppable and restartable by name ("actions", "engine0", "engine1", "gateway").

Needs bot/models/wegwijs.tar.gz and both environments; PostgreSQL/Redis binaries only when used.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "bot" / "models" / "wegwijs.tar.gz"
ENGINE_PY = ROOT / ".venv-engine" / "bin" / "python"
RASA = ROOT / ".venv-engine" / "bin" / "rasa"
GATEWAY_PY = ROOT / ".venv-gateway" / "bin" / "python"
TOKEN = "scale-test-token"
ACTIONS_TOKEN = "scale-test-actions-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    return None


def missing_services() -> list[str]:
    """Names of the binaries the service tests need but cannot find."""
    missing = [n for n in ("initdb", "pg_ctl") if pg_bin(n) is None]
    if shutil.which("redis-server") is None:
        missing.append("redis-server")
    return missing


def wait_until_up(url: str, proc: subprocess.Popen | None, log: Path | None, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            tail = log.read_text()[-3000:] if log and log.exists() else ""
            raise RuntimeError(f"process exited early ({url}); log:\n{tail}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    tail = log.read_text()[-3000:] if log and log.exists() else ""
    raise RuntimeError(f"{url} did not come up in {seconds}s; log:\n{tail}")


class Postgres:
    """A temporary PostgreSQL cluster listening on 127.0.0.1:<random port> only."""

    USER = "wegwijs"

    def __init__(self) -> None:
        # pytest's tmp dirs are 0700 under root; the postgres user must be able to reach its dir.
        self.base = Path(tempfile.mkdtemp(prefix="wegwijs-pg-"))
        self.base.chmod(0o755)
        self.data = self.base / "data"
        self.port = free_port()
        self.as_root = os.geteuid() == 0

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = list(args)
        if self.as_root:  # initdb and postgres refuse to run as root
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=check, capture_output=True, text=True, timeout=120)

    def init(self) -> Postgres:
        if self.as_root:
            shutil.chown(self.base, "postgres", "postgres")
        self._run(pg_bin("initdb") or "initdb", "-D", str(self.data), "-U", self.USER, "--auth=trust",
                  "-E", "UTF8", "--no-sync", "--locale=C")
        return self

    def start(self) -> None:
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories={self.base} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._run(pg_bin("pg_ctl") or "pg_ctl", "-D", str(self.data), "-l", str(self.base / "postgres.log"),
                  "-o", options, "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(pg_bin("pg_ctl") or "pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def restart(self) -> None:
        self.stop()
        self.start()

    def create_database(self, name: str) -> None:
        self._run(pg_bin("createdb") or "createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", self.USER, name)

    def url(self, database: str, driver: str = "postgresql") -> str:
        return f"{driver}://{self.USER}@127.0.0.1:{self.port}/{database}"

    def cleanup(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.base, ignore_errors=True)


class Redis:
    """redis-server on 127.0.0.1:<random port>, no persistence."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="wegwijs-redis-"))
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def start(self) -> Redis:
        self.proc = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.dir),
             "--save", "", "--appendonly", "no", "--protected-mode", "yes"],
            stdout=(self.dir / "redis.log").open("w"), stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def cleanup(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)


class Stack:
    """`engines` Rasa engines + gateway, with the given tracker and lock stores.

    The custom actions run inside the engines (the default, WEGWIJS_ACTIONS_MODULE=actions), or
    with `action_server=True` in a separate action server that the engines call over HTTP.
    """

    def __init__(
        self,
        tmp: Path,
        *,
        engines: int = 1,
        postgres: Postgres | None = None,
        redis: Redis | None = None,
        gateway_db_url: str | None = None,
        extra_env: dict[str, str] | None = None,
        action_server: bool = False,
    ) -> None:
        self.tmp = tmp
        self.action_server = action_server
        self.actions_port = free_port()
        self.engine_ports = [free_port() for _ in range(engines)]
        self.gateway_port = free_port()
        self.engine_urls = [f"http://127.0.0.1:{p}" for p in self.engine_ports]
        self.gateway_url = f"http://127.0.0.1:{self.gateway_port}"
        self.procs: dict[str, subprocess.Popen] = {}
        if postgres is not None:
            tracker = {"WEGWIJS_ENGINE_TRACKER_DIALECT": "postgresql",
                       "WEGWIJS_ENGINE_TRACKER_URL": postgres.url("trackers"),
                       "WEGWIJS_ENGINE_TRACKER_DB": "trackers",
                       "WEGWIJS_TRACKER_URL": postgres.url("trackers", "postgresql+psycopg")}
        else:
            tracker = {"WEGWIJS_ENGINE_TRACKER_DIALECT": "sqlite",
                       "WEGWIJS_ENGINE_TRACKER_DB": str(tmp / "trackers.db"),
                       "WEGWIJS_ENGINE_TRACKER_URL": "",
                       "WEGWIJS_TRACKER_URL": f"sqlite:///{tmp / 'trackers.db'}"}
        lock = ({"WEGWIJS_ENGINE_LOCK_STORE": "addons.stores.AtomicRedisLockStore", "WEGWIJS_ENGINE_REDIS_PORT": str(redis.port)}
                if redis is not None else
                {"WEGWIJS_ENGINE_LOCK_STORE": "in_memory", "WEGWIJS_ENGINE_REDIS_PORT": "6379"})
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
            WEGWIJS_ACTIONS_MODULE="" if action_server else "actions",
            WEGWIJS_ACTIONS_PORT=str(self.actions_port),
            WEGWIJS_ACTIONS_URL=f"http://127.0.0.1:{self.actions_port}/webhook",
            WEGWIJS_ACTIONS_TOKEN=ACTIONS_TOKEN,
            WEGWIJS_ENGINE_REDIS_HOST="127.0.0.1",
            WEGWIJS_ENGINE_REDIS_DB="1",
            WEGWIJS_ENGINE_REDIS_PASSWORD="",
            WEGWIJS_RASA_URL=self.engine_urls[0],
            WEGWIJS_RASA_URLS=",".join(self.engine_urls),
            WEGWIJS_RASA_TOKEN=TOKEN,
            WEGWIJS_PORT=str(self.gateway_port),
            WEGWIJS_HOST="127.0.0.1",
            WEGWIJS_PUBLIC_BASE_URL=self.gateway_url,
            WEGWIJS_DATABASE_URL=gateway_db_url or f"sqlite:///{tmp / 'wegwijs.db'}",
            WEGWIJS_SECRET_KEY="scale-test-secret",
            WEGWIJS_LOG_LEVEL="WARNING",
            **tracker,
            **lock,
        )
        self.env.update(extra_env or {})

    # -- processes ------------------------------------------------------------------------
    def _spawn(self, name: str, args: list[str], cwd: Path) -> subprocess.Popen:
        log = self.tmp / f"{name}.log"
        proc = subprocess.Popen(args, cwd=cwd, env=self.env, stdout=log.open("a"), stderr=subprocess.STDOUT)
        self.procs[name] = proc
        return proc

    def start_actions(self) -> None:
        proc = self._spawn("actions", [str(ENGINE_PY), "serve_actions.py"], ROOT / "bot")
        wait_until_up(f"http://127.0.0.1:{self.actions_port}/health", proc, self.tmp / "actions.log", 90)

    def start_engine(self, index: int, wait: bool = True) -> None:
        name = f"engine{index}"
        proc = self._spawn(
            name,
            [str(RASA), "run", "--enable-api", "--auth-token", TOKEN, "-i", "127.0.0.1",
             "-p", str(self.engine_ports[index]), "--model", str(MODEL), "--endpoints", "endpoints.yml",
             "--credentials", "credentials.yml", "--logging-config-file", "logging.yml"],
            ROOT / "bot",
        )
        if wait:
            self.wait_engine(index, proc)

    def wait_engine(self, index: int, proc: subprocess.Popen | None = None) -> None:
        proc = proc or self.procs[f"engine{index}"]
        wait_until_up(f"{self.engine_urls[index]}/status?token={TOKEN}", proc,
                      self.tmp / f"engine{index}.log", 300)

    def start_gateway(self, args: list[str] | None = None) -> None:
        proc = self._spawn("gateway", args or [str(GATEWAY_PY), "-m", "channels"], ROOT)
        wait_until_up(f"{self.gateway_url}/healthz", proc, self.tmp / "gateway.log", 90)

    def up(self, gateway_args: list[str] | None = None) -> Stack:
        """Start everything (the gateway with `gateway_args` if given) and wait until it answers."""
        if self.action_server:
            self.start_actions()
        for i in range(len(self.engine_ports)):  # start all, then wait: they load in parallel
            self.start_engine(i, wait=False)
        for i in range(len(self.engine_ports)):
            self.wait_engine(i)
        self.start_gateway(gateway_args)
        return self

    def stop(self, name: str, sig: int = signal.SIGTERM) -> None:
        proc = self.procs.pop(name, None)
        if proc is None:
            return
        proc.send_signal(sig)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def pid(self, name: str) -> int:
        return self.procs[name].pid

    def down(self) -> None:
        for name in list(self.procs):
            self.stop(name)

    # -- talking to it --------------------------------------------------------------------
    def rest(self, engine: int, sender: str, text: str) -> list[dict]:
        r = httpx.post(f"{self.engine_urls[engine]}/webhooks/rest/webhook",
                       json={"sender": sender, "message": text}, timeout=120)
        r.raise_for_status()
        return r.json()

    def tracker(self, sender: str, engine: int = 0) -> dict:
        r = httpx.get(f"{self.engine_urls[engine]}/conversations/{sender}/tracker",
                      params={"token": TOKEN}, timeout=60)
        r.raise_for_status()
        return r.json()

    def chat(self, session: str, text: str, client_message_id: str | None = None) -> httpx.Response:
        body = {"session_id": session, "text": text}
        if client_message_id:
            body["client_message_id"] = client_message_id
        return httpx.post(f"{self.gateway_url}/webchat/api/messages", json=body, timeout=120)


def user_texts(tracker: dict) -> list[str]:
    return [e.get("text") for e in tracker.get("events", []) if e.get("event") == "user"]
