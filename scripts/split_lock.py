"""Split the gateway's pins into the runtime lock and the development lock (used by scripts/lock).

Run with the gateway environment's Python: reads requirements/gateway.in (runtime) and
requirements/gateway-dev.in (tests and tools), follows the installed packages' dependencies
(importlib.metadata, markers evaluated for this interpreter) and writes
requirements/gateway.lock (everything the runtime needs) and requirements/gateway-dev.lock (the
rest of `pip freeze`: only what the tests and tools add). A production install takes the runtime
lock only; scripts/setup installs both for development and CI.
"""

from __future__ import annotations

import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
REQ = ROOT / "requirements"


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def names_in(path: Path) -> list[Requirement]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            out.append(Requirement(line))
    return out


def closure(roots: list[Requirement]) -> set[str]:
    seen: set[str] = set()
    todo = [(r.name, set(r.extras)) for r in roots]
    while todo:
        name, extras = todo.pop()
        key = normalize(name)
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        first = key not in seen
        seen.add(key)
        for spec in dist.requires or []:
            req = Requirement(spec)
            if req.marker is not None:
                envs = [{"extra": e} for e in (extras or {""})]
                if not any(req.marker.evaluate(env) for env in envs):
                    continue
            if first or extras:
                if normalize(req.name) not in seen or req.extras:
                    todo.append((req.name, set(req.extras)))
    return seen


def main() -> int:
    runtime = closure(names_in(REQ / "gateway.in"))
    freeze = subprocess.run([sys.executable, "-m", "pip", "freeze"], capture_output=True, text=True, check=True).stdout
    pins = [line for line in freeze.splitlines() if "==" in line and not line.startswith(("-e ", "wegwijs", "#"))]
    run = [p for p in pins if normalize(p.split("==")[0]) in runtime]
    dev = [p for p in pins if normalize(p.split("==")[0]) not in runtime]
    (REQ / "gateway.lock").write_text(
        "# Gateway runtime lock (Python 3.11): what production installs. Regenerate: scripts/lock\n"
        + "\n".join(run) + "\n", encoding="utf-8")
    (REQ / "gateway-dev.lock").write_text(
        "# Gateway development lock (Python 3.11): tests and tools on top of gateway.lock; never in\n"
        "# production. Regenerate: scripts/lock\n" + "\n".join(dev) + "\n", encoding="utf-8")
    print(f"gateway.lock: {len(run)} pins, gateway-dev.lock: {len(dev)} pins")
    return 0


if __name__ == "__main__":
    sys.exit(main())
