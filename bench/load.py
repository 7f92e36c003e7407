"""Open-loop load generator for the Wegwijs gateway's web chat API (localhost only).

Simulated users arrive as a Poisson process (or at a fixed interval) and each runs a realistic
multi-turn conversation in Dutch or English: a greeting, 2-4 FAQ questions (some with typos), a
deadline question with a date, thanks. A user's turns are spaced by a think time and never
overlap (the next turn waits for the previous answer), so per-conversation order holds; new users
keep arriving regardless of how slow the answers are (open loop).

Scenarios
  rate   sustained arrival rate for a bounded duration: throughput, p50/p95/p99 latency, errors,
         engine RSS (sampled with psutil on --engine-pid)
  sweep  the rate scenario at several rates on one stack (--rates)
  users  N users x T turns, all started within a ramp; afterwards the gateway database is counted:
         every answered turn must be stored (no lost message) and every user who asked for a
         person and said yes must have a ticket (when the inbox tables exist)

Latency is measured from the turn's *scheduled* time (so a backlog shows up as latency instead of
silently lowering the load: no coordinated omission) and, separately, from the actual send.

Examples
  python bench/load.py rate  --gateway http://127.0.0.1:8000 --rate 50 --duration 60 --engine-pid 1234
  python bench/load.py users --gateway http://127.0.0.1:8000 --users 200 --turns 10 --db-url sqlite:///var/wegwijs.db
  python bench/load.py all --start-stack          # start engine (actions inside) + gateway (SQLite defaults)
  python bench/load.py sweep --start-stack --rates 5,10,15,20 --duration 40   # find the sustainable rate
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import random
import statistics
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parents[1]
def _apology_markers() -> tuple[str, ...]:
    """The "engine unreachable" apology in every language (knowledge/i18n/*/messages/gateway.yaml)."""
    import sys

    sys.path.insert(0, str(ROOT))
    from knowledge import languages, texts

    return tuple(texts.text("gateway.engine_unavailable", code)[:40] for code in languages.CODES)


APOLOGY_MARKERS = _apology_markers()

GREETINGS = {"nl": ["hallo", "hoi", "goedemorgen", "dag"], "en": ["hello", "hi", "good morning"],
             "tr": ["merhaba", "selam", "iyi günler"], "ar": ["مرحبا", "السلام عليكم", "صباح الخير"],
             "pt": ["olá", "oi", "bom dia"]}
FAQ = {
    "nl": ["wat kost inburgeren voor mij?", "hoe lang heb ik de tijd om in te burgeren?", "wat is een pip?",
           "moet ik examen doen?", "wat is de brede intake?", "kan ik geld lenen bij duo?",
           "wat gebeurt er als ik te laat ben?", "wat is de b1 route?", "mag mijn man mee naar de intake?",
           "wat is knm?", "wie is mijn regievoerder?", "kan ik verlenging krijgen?"],
    "en": ["how much does the integration cost for me?", "how long do I have to integrate?", "what is a pip?",
           "do I have to take exams?", "what is the broad intake?", "can I borrow money from duo?",
           "what happens if I am too late?", "what is the b1 route?", "who is my case manager?"],
    "tr": ["inburgering ne kadar tutar?", "ne kadar sürem var?", "pip nedir?", "sınava girmek zorunda mıyım?",
           "brede intake nedir?", "duo'dan kredi alabilir miyim?", "geç kalırsam ne olur?"],
    "ar": ["كم تكلفة الاندماج؟", "كم من الوقت عندي للاندماج؟", "ما هو PIP؟", "هل يجب أن أقدم الامتحانات؟",
           "ما هي brede intake؟", "هل يمكنني الحصول على قرض من DUO؟", "ماذا يحدث إذا تأخرت؟"],
    "pt": ["quanto custa a inburgering?", "quanto tempo eu tenho?", "o que é o pip?", "preciso fazer exames?",
           "o que é a brede intake?", "posso pedir empréstimo ao duo?", "o que acontece se eu atrasar?"],
}
DEADLINE = {
    "nl": ["wanneer moet ik klaar zijn? mijn pip is van {d}", "tot wanneer heb ik tijd, pip {d}"],
    "en": ["when do I have to be finished? my PIP is from {d}", "until when do I have time? pip {d}"],
    "tr": ["pip tarihim {d}, ne zaman bitirmem gerekiyor?"],
    "ar": ["تاريخ الـ PIP ديالي {d}، امتى لازم نكمل؟"],
    "pt": ["meu pip é de {d}, até quando tenho prazo?"],
}
MONTHS = {"nl": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
                 "oktober", "november", "december"],
          "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                 "October", "November", "December"],
          "tr": ["ocak", "şubat", "mart", "nisan", "mayıs", "haziran", "temmuz", "ağustos", "eylül", "ekim",
                 "kasım", "aralık"],
          "ar": ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر",
                 "نوفمبر", "ديسمبر"],
          "pt": ["de janeiro de", "de fevereiro de", "de março de", "de abril de", "de maio de", "de junho de",
                 "de julho de", "de agosto de", "de setembro de", "de outubro de", "de novembro de",
                 "de dezembro de"]}
THANKS = {"nl": ["dank je wel", "bedankt!", "dankjewel"], "en": ["thank you", "thanks!"],
          "tr": ["teşekkürler", "çok sağolun"], "ar": ["شكرا", "شكرا جزيلا"], "pt": ["obrigado", "valeu!"]}
HANDOFF = {"nl": ["ik wil met een mens praten", "ja"], "en": ["I want to talk to a person", "yes"],
           "tr": ["bir insanla konuşmak istiyorum", "evet"], "ar": ["أريد التحدث مع شخص", "نعم"],
           "pt": ["quero falar com uma pessoa", "sim"]}
# the share of conversations per language (the largest groups first, Dutch and English most)
LANGUAGE_MIX = (("nl", 0.4), ("en", 0.2), ("tr", 0.15), ("ar", 0.15), ("pt", 0.1))


def typo(rng: random.Random, text: str) -> str:
    """One realistic typo: swap, drop or double a letter."""
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    if len(letters) < 4:
        return text
    i = rng.choice(letters[1:-1])
    kind = rng.random()
    if kind < 0.4:
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    if kind < 0.7:
        return text[:i] + text[i + 1:]
    return text[:i] + text[i] + text[i:]


@functools.lru_cache(maxsize=1)
def _municipalities() -> tuple[str, ...]:
    from knowledge import loader

    return tuple(sorted(loader.municipalities()))


def municipality_of(user: str) -> str:
    """Spread the conversations over the example municipalities (knowledge/municipalities/), by user."""
    names = _municipalities()
    return names[int(user.rsplit("-", 1)[-1][:8], 16) % len(names)] if user.startswith("bench-") else names[0]


def conversation(rng: random.Random, turns: int | None = None, handoff: bool = False) -> list[str]:
    """A user's messages; with `turns` the list is cut or padded with FAQ questions to that length."""
    lang = rng.choices([code for code, _ in LANGUAGE_MIX], weights=[w for _, w in LANGUAGE_MIX])[0]
    faq = rng.sample(FAQ[lang], rng.randint(2, 4))
    faq = [typo(rng, q) if rng.random() < 0.35 else q for q in faq]
    day, month, year = rng.randint(1, 28), rng.randrange(12), rng.choice([2023, 2024, 2025])
    date = f"{day} {MONTHS[lang][month]} {year}" if rng.random() < 0.6 else f"{day}-{month + 1}-{year}"
    messages = [rng.choice(GREETINGS[lang]), *faq, rng.choice(DEADLINE[lang]).format(d=date),
                rng.choice(THANKS[lang])]
    if turns is not None:
        tail = HANDOFF[lang] if handoff else []
        body = messages[: max(0, turns - len(tail))]
        while len(body) < turns - len(tail):
            body.insert(-1, rng.choice(FAQ[lang]))
        messages = body + tail
    return messages


def kind_of(text: str) -> str:
    """greeting / faq / deadline / thanks / handoff: for latency per kind of turn."""
    lowered = text.lower()
    if any(lowered == g for lang in GREETINGS.values() for g in lang):
        return "greeting"
    if any(lowered == t for lang in THANKS.values() for t in lang):
        return "thanks"
    if any(lowered == h.lower() for lang in HANDOFF.values() for h in lang):
        return "handoff"
    return "deadline" if "pip " in lowered and any(ch.isdigit() for ch in lowered) else "faq"


@dataclass
class Turn:
    user: str
    index: int
    scheduled: float
    kind: str = "faq"
    sent: float = 0.0
    done: float = 0.0
    status: int = 0
    replies: int = 0
    error: str | None = None
    apology: bool = False


@dataclass
class RssSampler:
    pid: int | None
    samples: list[int] = field(default_factory=list)

    def rss(self) -> int | None:
        if not self.pid:
            return None
        try:
            import psutil

            process = psutil.Process(self.pid)
            return process.memory_info().rss + sum(c.memory_info().rss for c in process.children(recursive=True))
        except ImportError:  # /proc fallback (Linux) without psutil
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        except Exception:  # noqa: BLE001 - the process went away
            return None
        return None

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            value = self.rss()
            if value:
                self.samples.append(value)
            try:
                await asyncio.wait_for(stop.wait(), timeout=1.0)
            except asyncio.TimeoutError:
                pass


def check_localhost(url: str) -> None:
    host = urlsplit(url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"refusing to load-test {host}: this tool is for localhost only")


async def run_user(client: httpx.AsyncClient, user: str, messages: list[str], start: float, think_s: float,
                   turns: list[Turn]) -> None:
    await asyncio.sleep(max(0.0, start - time.perf_counter()))
    for i, text in enumerate(messages):
        turn = Turn(user, i, scheduled=max(start + i * think_s, time.perf_counter()) if i else start,
                    kind=kind_of(text))
        turns.append(turn)
        await asyncio.sleep(max(0.0, turn.scheduled - time.perf_counter()))
        turn.sent = time.perf_counter()
        try:
            r = await client.post("/webchat/api/messages", json={"session_id": user, "text": text,
                                                                 "client_message_id": f"{user}-{i}",
                                                                 "municipality": municipality_of(user)})
            turn.status = r.status_code
            if r.status_code == 200:
                replies = r.json()["messages"]
                turn.replies = len(replies)
                turn.apology = any(any(m in (x.get("text") or "") for m in APOLOGY_MARKERS) for x in replies)
            else:
                turn.error = f"HTTP {r.status_code}"
        except httpx.HTTPError as exc:
            turn.error = type(exc).__name__
        turn.done = time.perf_counter()
        if turn.error:
            return  # a real user gives up; the remaining turns are not sent


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(q / 100 * len(values) + 0.5) - 1))
    return values[k]


def summarize(turns: list[Turn], wall_s: float, rss: RssSampler) -> dict:
    finished = [t for t in turns if t.done]
    ok = [t for t in finished if t.error is None]
    lat = [(t.done - t.scheduled) * 1000 for t in ok]
    svc = [(t.done - t.sent) * 1000 for t in ok]
    errors: dict[str, int] = {}
    for t in finished:
        if t.error:
            errors[t.error] = errors.get(t.error, 0) + 1
    return {
        "turns_sent": len(finished),
        "turns_ok": len(ok),
        "errors": sum(errors.values()),
        "errors_by_kind": errors,
        "apologies": sum(t.apology for t in ok),
        "empty_answers": sum(1 for t in ok if t.replies == 0),
        "wall_s": round(wall_s, 2),
        "throughput_turns_per_s": round(len(ok) / wall_s, 2) if wall_s else 0,
        "latency_ms": {"p50": round(pct(lat, 50), 1), "p95": round(pct(lat, 95), 1),
                       "p99": round(pct(lat, 99), 1), "max": round(max(lat), 1) if lat else None,
                       "mean": round(statistics.fmean(lat), 1) if lat else None},
        "service_time_ms": {"p50": round(pct(svc, 50), 1), "p95": round(pct(svc, 95), 1),
                            "p99": round(pct(svc, 99), 1)},
        "service_time_by_kind_ms": {
            kind: {"n": len(v), "p50": round(pct(v, 50), 1), "p95": round(pct(v, 95), 1)}
            for kind in ("greeting", "faq", "deadline", "thanks", "handoff")
            if (v := [(t.done - t.sent) * 1000 for t in ok if t.kind == kind])},
        "engine_rss_mb": {"start": round(rss.samples[0] / 2**20) if rss.samples else None,
                          "max": round(max(rss.samples) / 2**20) if rss.samples else None},
    }


def client_for(gateway: str, users: int) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=max(100, users), max_keepalive_connections=max(100, users))
    return httpx.AsyncClient(base_url=gateway, timeout=60, limits=limits)


async def scenario_rate(args: argparse.Namespace) -> dict:
    """Users arrive at rate/turns-per-user per second for `duration` s; turns are spaced `think` s."""
    rng = random.Random(args.seed)
    mean_turns = 6.5  # greeting + 2-4 FAQ (mean 3) + deadline + thanks
    user_rate = args.rate / mean_turns
    turns: list[Turn] = []
    tasks = []
    rss = RssSampler(args.engine_pid)
    stop = asyncio.Event()
    sampler = asyncio.create_task(rss.run(stop))
    t0 = time.perf_counter()
    at = t0 + 0.5
    users = 0
    async with client_for(args.gateway, 500) as client:
        while at < t0 + args.duration and users < args.max_users:
            messages = conversation(rng)
            user = f"bench-{uuid.uuid4().hex[:20]}"
            tasks.append(asyncio.create_task(run_user(client, user, messages, at, args.think, turns)))
            users += 1
            gap = rng.expovariate(user_rate) if args.arrivals == "poisson" else 1 / user_rate
            at += gap
        await asyncio.gather(*tasks)
    wall = time.perf_counter() - t0
    stop.set()
    await sampler
    result = summarize(turns, wall, rss)
    # steady state: after the first users reached their last turn, until arrivals stop
    start, end = t0 + min(args.duration / 2, 7 * args.think), t0 + args.duration
    steady = [t for t in turns if t.error is None and start <= t.done <= end]
    in_window = [(t.done - t.scheduled) * 1000 for t in steady]
    result["steady"] = {"window_s": round(end - start, 1),
                        "throughput_turns_per_s": round(len(steady) / (end - start), 2),
                        "p50_ms": round(pct(in_window, 50), 1), "p95_ms": round(pct(in_window, 95), 1),
                        "p99_ms": round(pct(in_window, 99), 1)}
    result.update(users=users, target_turns_per_s=args.rate, arrivals=args.arrivals, think_s=args.think,
                  duration_s=args.duration)
    return result


def count_stored(db_url: str, sessions: list[str]) -> dict:
    """Inbound messages and tickets stored by the gateway for these web chat sessions."""
    import sqlalchemy as sa

    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as c:
            inbound: dict[str, int] = {}
            for chunk in (sessions[i:i + 200] for i in range(0, len(sessions), 200)):
                rows = c.execute(sa.text(
                    "SELECT c.channel_user_id, COUNT(m.id) FROM conversations c JOIN messages m "
                    "ON m.conversation_id = c.id WHERE c.channel = 'web' AND m.direction = 'in' "
                    "AND c.channel_user_id IN :ids GROUP BY c.channel_user_id"
                ).bindparams(sa.bindparam("ids", expanding=True)), {"ids": chunk})
                inbound.update(dict(rows.all()))
            tickets: dict[str, int] | None = None
            if sa.inspect(c).has_table("inbox_tickets"):
                tickets = {}
                for chunk in (sessions[i:i + 200] for i in range(0, len(sessions), 200)):
                    rows = c.execute(sa.text(
                        "SELECT c.channel_user_id, COUNT(t.id) FROM conversations c JOIN inbox_tickets t "
                        "ON t.conversation_id = c.id WHERE c.channel_user_id IN :ids GROUP BY c.channel_user_id"
                    ).bindparams(sa.bindparam("ids", expanding=True)), {"ids": chunk})
                    tickets.update(dict(rows.all()))
            return {"inbound": inbound, "tickets": tickets}
    finally:
        engine.dispose()


async def scenario_users(args: argparse.Namespace) -> dict:
    """`users` users x `turns` turns started within `ramp` s; then count what the gateway stored."""
    rng = random.Random(args.seed + 1)
    turns: list[Turn] = []
    plans: dict[str, tuple[list[str], bool]] = {}
    for _ in range(args.users):
        handoff = rng.random() < args.handoff_share
        plans[f"bench-{uuid.uuid4().hex[:20]}"] = (conversation(rng, args.turns, handoff), handoff)
    rss = RssSampler(args.engine_pid)
    stop = asyncio.Event()
    sampler = asyncio.create_task(rss.run(stop))
    t0 = time.perf_counter()
    async with client_for(args.gateway, args.users) as client:
        await asyncio.gather(*[
            run_user(client, user, messages, t0 + rng.uniform(0, args.ramp), args.think, turns)
            for user, (messages, _) in plans.items()])
    wall = time.perf_counter() - t0
    stop.set()
    await sampler
    result = summarize(turns, wall, rss)
    result.update(users=args.users, turns_per_user=args.turns, ramp_s=args.ramp, think_s=args.think)
    if args.db_url:
        stored = count_stored(args.db_url, list(plans))
        answered: dict[str, int] = {}
        for t in turns:
            if t.done and t.error is None:
                answered[t.user] = answered.get(t.user, 0) + 1
        lost = {u: (n, stored["inbound"].get(u, 0)) for u, n in answered.items() if stored["inbound"].get(u, 0) != n}
        apologised = {t.user for t in turns if t.apology and t.index >= args.turns - 2}
        asked = [u for u, (_, handoff) in plans.items()
                 if handoff and answered.get(u) == args.turns and u not in apologised]
        result["stored_inbound"] = sum(stored["inbound"].values())
        result["answered_turns"] = sum(answered.values())
        result["lost_messages"] = sum(abs(a - b) for a, b in lost.values())
        result["users_asking_for_a_person"] = sum(1 for _, handoff in plans.values() if handoff)
        # a "yes" answered with the apology (engine timed out) did not reach the engine: no ticket is due
        result["handoff_turn_got_apology"] = sum(1 for u, (_, h) in plans.items() if h and u in apologised)
        if stored["tickets"] is not None:
            missing = [u for u in asked if stored["tickets"].get(u, 0) < 1]
            result["tickets_due"] = len(asked)
            result["tickets_persisted"] = len(asked) - len(missing)
            result["tickets_missing"] = len(missing)
        else:
            result["tickets_persisted"] = "no inbox tables"
    return result


def start_stack(args: argparse.Namespace):
    sys.path.insert(0, str(ROOT))
    import tempfile

    from tests.scale.services import Stack  # noqa: PLC0415 - only when asked to start the stack

    tmp = Path(tempfile.mkdtemp(prefix="wegwijs-bench-"))
    extra = {"WEGWIJS_CHANNEL_RATE_LIMIT_PER_MINUTE": "1000", "WEGWIJS_SCHEDULER_ENABLED": "false",
             # one load generator, one address, many sessions: no web chat limits (review finding 6)
             "WEGWIJS_WEBCHAT_RATE_LIMIT_PER_MINUTE": "1000000", "WEGWIJS_WEBCHAT_IP_RATE_LIMIT_PER_MINUTE": "1000000"}
    extra.update(dict(kv.split("=", 1) for kv in args.env))
    pg = redis = None
    if args.engines > 1:  # several engines need shared trackers and locks: PostgreSQL + Redis
        from tests.scale.services import Postgres, Redis  # noqa: PLC0415

        pg, redis = Postgres().init(), Redis()
        pg.start()
        pg.create_database("trackers")
        redis.start()
    stack = Stack(tmp, engines=args.engines, postgres=pg, redis=redis, extra_env=extra,
                  action_server=getattr(args, "action_server", False))
    stack.services = [s for s in (redis, pg) if s is not None]
    if args.tracker_wal:  # journal_mode=WAL is stored in the file, so Rasa's connections use it too
        import sqlite3

        with sqlite3.connect(stack.env["WEGWIJS_ENGINE_TRACKER_DB"]) as db:
            db.execute("PRAGMA journal_mode=WAL")
    gateway_cmd = None
    if args.gateway_workers > 1:
        gateway_cmd = [str(ROOT / ".venv-gateway" / "bin" / "python"), "-m", "uvicorn", "--factory",
                       "channels.app:create_app", "--host", "127.0.0.1", "--port", str(stack.gateway_port),
                       "--workers", str(args.gateway_workers), "--timeout-keep-alive", "75", "--no-access-log", "--log-level", "warning"]
    stack.up(gateway_cmd)
    print(f"stack up in {tmp} (logs there): gateway {stack.gateway_url}, engines {stack.engine_urls}",
          file=sys.stderr)
    return stack


async def warm_up(gateway: str) -> None:
    async with httpx.AsyncClient(base_url=gateway, timeout=120) as client:
        for i, text in enumerate(["hallo", "wat kost inburgeren?", "when do I have to be finished? my PIP is "
                                  "from 12 May 2024", "dank je"]):
            await client.post("/webchat/api/messages", json={"session_id": "bench-warmup-0001", "text": text,
                                                             "client_message_id": f"w{i}"})


def profile(stack, seconds: int, out: Path) -> list:
    """py-spy record (raw collapsed stacks) on the engine and the gateway while the load runs."""
    import shutil
    import subprocess

    spy = shutil.which("py-spy") or str(ROOT / ".venv-gateway" / "bin" / "py-spy")
    out.mkdir(parents=True, exist_ok=True)
    procs = []
    for name in ("engine0", "gateway"):
        procs.append(subprocess.Popen([spy, "record", "-p", str(stack.pid(name)), "-d", str(seconds), "-r", "50",
                                       "--format", "raw", "-o", str(out / f"{name}.txt"), "--nonblocking"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return procs


KEY_FRAMES = {
    "engine0": ["MessageProcessor.parse_message", "DIETClassifier.process", "ResponseSelector.process",
                "MessageProcessor._run_prediction_loop", "MessageProcessor._run_action", "RemoteAction.run",
                "RemoteAction._validate_action_result", "EndpointConfig.request", "interpolate",
                "validate_action_result", "ExceptionDictTransformer.__call__", "TrackerStore.get_or_create_tracker",
                "SQLTrackerStore.retrieve", "SQLTrackerStore.save", "ResilientSQLTrackerStore._retrieve",
                "ResilientSQLTrackerStore.save", "DefaultDialect.do_commit", "RulePolicy.predict_action_probabilities",
                "RasaModel.run_inference"],
    "gateway": ["ConversationService.handle_user_message", "ConversationService._store_inbound",
                "ConversationService.store_outgoing", "EngineClient.send", "Session.commit", "Session.flush",
                "post_message", "MessagePublic.from_row", "jsonable_encoder", "serialize_response"],
}


def summarize_profile(path: Path, name: str, top: int = 12) -> dict:
    """Share of all samples in which key functions appear (inclusive), and the top self-time frames."""
    inclusive: dict[str, int] = {}
    self_time: dict[str, int] = {}
    samples = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        n = int(count)
        samples += n
        frames = [f.split(" (")[0] for f in stack.split(";")]
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + n
        leaf = stack.split(";")[-1]
        where = leaf.split("(")[-1].rstrip(")").split("site-packages/")[-1].replace("/work/main/", "")
        key = f"{leaf.split(' (')[0]} ({where})"
        self_time[key] = self_time.get(key, 0) + n
    if not samples:
        return {}
    return {
        "samples": samples,
        "inclusive_percent": {k: round(100 * inclusive.get(k, 0) / samples, 1) for k in KEY_FRAMES.get(name, [])},
        "self_percent": [(k, round(100 * v / samples, 1))
                         for k, v in sorted(self_time.items(), key=lambda kv: -kv[1])[:top]],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", choices=["rate", "users", "all", "sweep", "profile"])
    parser.add_argument("--rates", type=lambda v: [float(x) for x in v.split(",")], default=[5, 10, 15, 20],
                        help="for 'sweep': comma-separated turn rates, each for --duration seconds")
    parser.add_argument("--gateway", default="http://127.0.0.1:8000")
    parser.add_argument("--start-stack", action="store_true", help="start engine + gateway (SQLite)")
    parser.add_argument("--action-server", action="store_true",
                        help="with --start-stack: run the custom actions in an action server (HTTP), "
                             "not inside the engine")
    parser.add_argument("--gateway-workers", type=int, default=1, help="uvicorn workers (with --start-stack)")
    parser.add_argument("--env", action="append", default=[], help="extra KEY=VALUE for the started stack")
    parser.add_argument("--engines", type=int, default=1,
                        help="engines to start (with --start-stack); >1 adds PostgreSQL trackers + Redis locks")
    parser.add_argument("--tracker-wal", action="store_true",
                        help="create the engine's SQLite tracker file in WAL mode (with --start-stack)")
    parser.add_argument("--engine-pid", type=int)
    parser.add_argument("--db-url", help="the gateway's database URL (to count stored messages)")
    parser.add_argument("--rate", type=float, default=50.0, help="target turns per second")
    parser.add_argument("--arrivals", choices=["poisson", "fixed"], default="poisson")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of arrivals (max 600)")
    parser.add_argument("--max-users", type=int, default=100_000)
    parser.add_argument("--think", type=float, default=2.0, help="seconds between a user's turns")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--ramp", type=float, default=20.0, help="seconds over which the users start")
    parser.add_argument("--handoff-share", type=float, default=0.1, help="share of users asking for a person")
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--profile", type=Path, help="py-spy the engine and gateway during 'rate' into DIR")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args()
    args.duration = min(args.duration, 600.0)

    stack = None
    try:
        if args.start_stack:
            stack = start_stack(args)
            args.gateway = stack.gateway_url
            args.engine_pid = stack.pid("engine0")  # RSS is reported for the first engine
            args.db_url = args.db_url or stack.env["WEGWIJS_DATABASE_URL"]
        if args.scenario != "profile":
            check_localhost(args.gateway)
            asyncio.run(warm_up(args.gateway))
        results: dict = {}
        if args.scenario in ("rate", "all"):
            spies = profile(stack, int(min(args.duration, 30)), args.profile) if args.profile and stack else []
            results["rate"] = asyncio.run(scenario_rate(args))
            for spy in spies:
                spy.wait(timeout=120)
            if spies:
                results["profile"] = {name: summarize_profile(args.profile / f"{name}.txt", name)
                                      for name in ("engine0", "gateway") if (args.profile / f"{name}.txt").exists()}
            print(json.dumps({"rate": results["rate"]}, indent=1), flush=True)
        if args.scenario == "sweep":  # several rates on the same stack, lightest first
            results["sweep"] = []
            for rate in args.rates:
                args.rate = rate
                row = asyncio.run(scenario_rate(args))
                results["sweep"].append(row)
                print(f"rate {rate:5.1f}/s: steady {row['steady']['throughput_turns_per_s']:6.2f} turns/s, "
                      f"p50 {row['steady']['p50_ms']:7.1f} ms, p95 {row['steady']['p95_ms']:7.1f} ms, "
                      f"p99 {row['steady']['p99_ms']:7.1f} ms, errors {row['errors']}, "
                      f"apologies {row['apologies']}, engine RSS max {row['engine_rss_mb']['max']} MB",
                      flush=True)
        if args.scenario in ("users", "all"):
            results["users"] = asyncio.run(scenario_users(args))
            print(json.dumps({"users": results["users"]}, indent=1), flush=True)
        if args.scenario == "profile" and args.profile:  # summarize earlier py-spy files only
            results["profile"] = {name: summarize_profile(args.profile / f"{name}.txt", name)
                                  for name in ("engine0", "gateway") if (args.profile / f"{name}.txt").exists()}
        if "profile" in results:
            for name, summary in results["profile"].items():
                print(f"\nprofile {name} ({summary.get('samples')} samples): functions on the stack")
                for frame, share in summary.get("inclusive_percent", {}).items():
                    print(f"  {share:5.1f}%  {frame}")
                print("  self time:")
                for frame, share in summary.get("self_percent", []):
                    print(f"  {share:5.1f}%  {frame}")
        if args.json:
            args.json.write_text(json.dumps(results, indent=1))
    finally:
        if stack is not None:
            stack.down()
            for service in stack.services:
                service.cleanup()


if __name__ == "__main__":
    main()
