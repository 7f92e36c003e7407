"""Run `rasa data validate` and fail on anything but the warnings we understand and accept.

Accepted:
- utterances "not used in any story or rule" that a custom action in bot/actions sends;
- the intents `choose_topic` and `show_dutch` have no NLU examples: they only come from button payloads;
- `faq` counted twice while merging the domain with the retrieval intent from the NLU data.
Everything else (errors, unknown warnings) fails the check.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOT = ROOT / "bot"
RASA = ROOT / ".venv-engine" / "bin" / "rasa"

ACCEPTED = [
    re.compile(r"The intent '(choose_topic|show_dutch)' is listed in the domain file, but is not found in the NLU"),
    re.compile(r"The following duplicated intents have been found across multiple domain files: faq$"),
]


def action_sources() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in (BOT / "actions").glob("*.py"))


def main() -> int:
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="3", NO_COLOR="1")
    proc = subprocess.run(
        [str(RASA), "data", "validate", "--domain", "domain", "--data", "data", "--config", "config.yml"],
        cwd=BOT, env=env, capture_output=True, text=True,
    )
    output = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout + proc.stderr)
    sources = action_sources()
    problems = []
    for line in output.splitlines():
        message = line.split("UserWarning: ", 1)[1].strip() if "UserWarning: " in line else None
        if message is None and " ERROR " not in line:
            continue
        if message is None:
            problems.append(line.strip())
            continue
        unused = re.match(r"The utterance '([^']+)' is not used in any story or rule", message)
        if unused and (f'"{unused.group(1)}"' in sources or "utter_ask_" in unused.group(1)):
            continue  # sent by a custom action (form questions via ActionAskDeadlineField)
        if any(p.search(message) for p in ACCEPTED):
            continue
        problems.append(message)
    if proc.returncode != 0:
        problems.append(f"rasa data validate exited with {proc.returncode}")
    for problem in problems:
        print(f"PROBLEM {problem}")
    print("rasa data validate: clean (accepted warnings listed in scripts/rasa_validate.py)" if not problems
          else f"rasa data validate: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
