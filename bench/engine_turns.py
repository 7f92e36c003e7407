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
    .venv-gateway/bin/python bench/engine_turns.py --patches=-direct_model_calls   # WEGWIJS_ENGINE_PATCHES
    .venv-gateway/bin/python bench/engine_turns.py --compare-patches               # patched vs stock Rasa

--compare-patches (bench/run.sh --compare-patches) runs the conversations twice, on a fresh engine
each time: with the engine patches (--patches, default all; bot/addons/patches.py) and on stock
Rasa (WEGWIJS_ENGINE_PATCHES=none). Stock Rasa cannot run the custom actions inside the engine
(that is the actions_in_engine patch), so its run calls a separate action server over HTTP, and
the patched run does too with --action-server. It prints both tables, then the wall-time p50/p95
and CPU per turn of both and their ratio (stock / patched).
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


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * q) - 1)]


def measure(args: argparse.Namespace, patches: str | None, action_server: bool, profile: Path | None = None) -> dict:
    """Play the conversations on a fresh engine; per kind of turn: (engine CPU ms, actions CPU ms, wall ms)."""
    rng = random.Random(args.seed)
    extra_env = dict(kv.split("=", 1) for kv in args.env)
    if patches is not None:
        extra_env["WEGWIJS_ENGINE_PATCHES"] = patches
    stack = Stack(Path(tempfile.mkdtemp(prefix="wegwijs-engine-turns-")), extra_env=extra_env,
                  action_server=action_server)
    spy = None
    try:
        if action_server:
            stack.start_actions()
        stack.start_engine(0)
        engine = psutil.Process(stack.pid("engine0"))
        actions = psutil.Process(stack.pid("actions")) if action_server else None
        with httpx.Client(base_url=stack.engine_urls[0], timeout=60) as client:
            def send(sender: str, text: str) -> None:
                client.post("/webhooks/rest/webhook", json={"sender": sender, "message": text}).raise_for_status()

            for text in ["hallo", "wat kost inburgeren?", "when do I have to be finished? my PIP is from 12 May 2024"]:
                send("warm-up", text)
            if profile:
                profile.parent.mkdir(parents=True, exist_ok=True)
                spy = subprocess.Popen([str(ROOT / ".venv-gateway" / "bin" / "py-spy"), "record", "-p", str(engine.pid),
                                        "-r", "200", "--format", "raw", "-o", str(profile), "--nonblocking"],
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
    return {"cost": cost, "elapsed": elapsed}


def report(args: argparse.Namespace, run: dict) -> dict:
    """Print the table of one run; returns its totals (wall p50/p95, CPU per turn)."""
    cost, elapsed = run["cost"], run["elapsed"]
    turns = sum(len(v) for v in cost.values())
    print(f"{turns} turns in {args.conversations} conversations, {turns / elapsed:.1f} turns/s serial (incl. 20 ms pauses)")
    print(f"{'turn':10} {'n':>4} {'engine CPU ms':>16} {'actions CPU ms':>16} {'wall ms':>14}")
    print(f"{'':10} {'':>4} {'median':>8}{'mean':>8} {'median':>8}{'mean':>8} {'median':>7}{'p95':>7}")
    mix, walls = [], []
    for kind, rows in cost.items():
        eng, act, wall = zip(*rows)
        mix += [e + a for e, a, _ in rows]
        walls += wall
        print(f"{kind:10} {len(rows):>4} {statistics.median(eng):8.1f}{statistics.mean(eng):8.1f} "
              f"{statistics.median(act):8.1f}{statistics.mean(act):8.1f} {statistics.median(wall):7.1f}"
              f"{percentile(list(wall), 0.95):7.1f}")
    print(f"mean CPU per turn of this conversation mix (engine + actions): {statistics.mean(mix):.1f} ms")
    return {"p50": statistics.median(walls), "p95": percentile(walls, 0.95), "cpu": statistics.mean(mix),
            "by_kind": {kind: (statistics.median([w for *_, w in rows]), percentile([w for *_, w in rows], 0.95))
                        for kind, rows in cost.items()}}


def compare(patched: dict, stock: dict, label: str) -> None:
    print(f"\n== engine patches ({label}) vs stock Rasa (WEGWIJS_ENGINE_PATCHES=none); ratio = stock / patched")
    print(f"{'':18} {'patched':>9} {'stock':>9} {'ratio':>7}")
    rows = [("wall p50 ms", patched["p50"], stock["p50"]), ("wall p95 ms", patched["p95"], stock["p95"]),
            ("CPU ms per turn", patched["cpu"], stock["cpu"])]
    for kind in patched["by_kind"]:
        rows += [(f"{kind} p50 ms", patched["by_kind"][kind][0], stock["by_kind"][kind][0]),
                 (f"{kind} p95 ms", patched["by_kind"][kind][1], stock["by_kind"][kind][1])]
    for name, ours, theirs in rows:
        print(f"{name:18} {ours:9.1f} {theirs:9.1f} {theirs / ours if ours else float('nan'):6.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", type=Path, help="py-spy raw stacks of the engine to this file")
    parser.add_argument("--env", action="append", default=[], help="KEY=VALUE for the engine and action server")
    parser.add_argument("--action-server", action="store_true",
                        help="run the custom actions in an action server (HTTP), not inside the engine")
    parser.add_argument("--patches", help="WEGWIJS_ENGINE_PATCHES for the engine: all, none, -name1,-name2 or name1,name2")
    parser.add_argument("--compare-patches", action="store_true",
                        help="run twice: with the engine patches (--patches, default all) and on stock Rasa (none)")
    args = parser.parse_args()

    if not args.compare_patches:
        report(args, measure(args, args.patches, args.action_server, args.profile))
        return
    label = args.patches or "all"
    print(f"== with the engine patches: WEGWIJS_ENGINE_PATCHES={label}"
          f"{', actions in an action server' if args.action_server else ''}")
    patched = report(args, measure(args, label, args.action_server, args.profile))
    print("\n== stock Rasa: WEGWIJS_ENGINE_PATCHES=none, actions in an action server (HTTP)")
    stock = report(args, measure(args, "none", True))
    compare(patched, stock, label)


if __name__ == "__main__":
    main()
