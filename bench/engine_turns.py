"""Cost of one turn in the engine, by kind of turn: CPU ms of the engine and the action server.

Starts one Rasa engine (SQLite defaults, the trained model, the custom actions inside it; with
--action-server in a separate action server as well), then plays
conversations one turn at a time straight to the engine's REST channel (no gateway, one kept-alive
connection): greeting, three FAQ questions, a deadline question with a date, thanks. Prints, per
kind of turn, the median and mean CPU time of the engine and of the action server if any (from
/proc via psutil, 10 ms ticks, so read the means over many turns) and the wall time. This is the
number to watch when tuning the engine; bench/load.py measures the whole stack under load.

    .venv-gateway/bin/python bench/engine_turns.py --conversations 20
    .venv-gateway/bin/python bench/engine_turns.py --profile bench/profile/engine-serial.txt
"""

from __future__ import annotations

import argparse
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.scale.services import Stack  # noqa: E402

TEXTS = {
    "greeting": ["hallo", "hoi", "hello", "goedemorgen"],
    "faq": ["wat kost inburgeren voor mij?", "what is a pip?", "wat is de brede intake?", "kan ik geld lenen bij duo?",
            "who is my case manager?", "moet ik examen doen?", "wat gebeurt er als ik te laat ben?"],
    "deadline": ["wanneer moet ik klaar zijn? mijn pip is van 12 mei 2025",
                 "when do I have to be finished? my PIP is from 3 March 2025"],
    "thanks": ["dank je wel", "thanks!", "bedankt"],
}
CONVERSATION = ["greeting", "faq", "faq", "faq", "deadline", "thanks"]


def cpu_seconds(proc: psutil.Process | None) -> float:
    if proc is None:  # actions inside the engine: no action server process
        return 0.0
    total = sum(proc.cpu_times()[:2])
    for child in proc.children(recursive=True):
        total += sum(child.cpu_times()[:2])
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", type=Path, help="py-spy raw stacks of the engine to this file")
    parser.add_argument("--env", action="append", default=[], help="KEY=VALUE for the engine and action server")
    parser.add_argument("--action-server", action="store_true",
                        help="run the custom actions in an action server (HTTP), not inside the engine")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    stack = Stack(Path(tempfile.mkdtemp(prefix="wegwijs-engine-turns-")), extra_env=dict(kv.split("=", 1) for kv in args.env),
                  action_server=args.action_server)
    if args.action_server:
        stack.start_actions()
    stack.start_engine(0)
    engine = psutil.Process(stack.pid("engine0"))
    actions = psutil.Process(stack.pid("actions")) if args.action_server else None
    spy = None
    try:
        with httpx.Client(base_url=stack.engine_urls[0], timeout=60) as client:
            def send(sender: str, text: str) -> None:
                client.post("/webhooks/rest/webhook", json={"sender": sender, "message": text}).raise_for_status()

            for text in ["hallo", "wat kost inburgeren?", "when do I have to be finished? my PIP is from 12 May 2024"]:
                send("warm-up", text)
            if args.profile:
                args.profile.parent.mkdir(parents=True, exist_ok=True)
                spy = subprocess.Popen([str(ROOT / ".venv-gateway" / "bin" / "py-spy"), "record", "-p", str(engine.pid),
                                        "-r", "200", "--format", "raw", "-o", str(args.profile), "--nonblocking"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(1)
            cost: dict[str, list[tuple[float, float, float]]] = {kind: [] for kind in TEXTS}
            started = time.perf_counter()
            for n in range(args.conversations):
                for kind in CONVERSATION:
                    e0, a0, w0 = cpu_seconds(engine), cpu_seconds(actions), time.perf_counter()
                    send(f"bench-{n}", rng.choice(TEXTS[kind]))
                    w1 = time.perf_counter()
                    time.sleep(0.02)  # let the action server's accounting settle
                    cost[kind].append(((cpu_seconds(engine) - e0) * 1000, (cpu_seconds(actions) - a0) * 1000, (w1 - w0) * 1000))
            elapsed = time.perf_counter() - started
    finally:
        if spy is not None:
            spy.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
            spy.wait()
        stack.down()

    turns = sum(len(v) for v in cost.values())
    print(f"{turns} turns in {args.conversations} conversations, {turns / elapsed:.1f} turns/s serial (incl. 20 ms pauses)")
    print(f"{'turn':10} {'n':>4} {'engine CPU ms':>16} {'actions CPU ms':>16} {'wall ms':>14}")
    print(f"{'':10} {'':>4} {'median':>8}{'mean':>8} {'median':>8}{'mean':>8} {'median':>7}{'p95':>7}")
    mix = []
    for kind, rows in cost.items():
        eng, act, wall = zip(*rows)
        mix += [e + a for e, a, _ in rows]
        p95 = sorted(wall)[max(0, int(len(wall) * 0.95) - 1)]
        print(f"{kind:10} {len(rows):>4} {statistics.median(eng):8.1f}{statistics.mean(eng):8.1f} "
              f"{statistics.median(act):8.1f}{statistics.mean(act):8.1f} {statistics.median(wall):7.1f}{p95:7.1f}")
    print(f"mean CPU per turn of this conversation mix (engine + actions): {statistics.mean(mix):.1f} ms")


if __name__ == "__main__":
    main()
