"""Every repository path the README and knowledge/README name exists (both Rasa demos drifted)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PATH_LIKE = re.compile(r"`((?:scripts|knowledge|bot|gateway|channels|redaction|tests|requirements|bench|docs|\.ci)/[^`\s<>*]*)`")


def named_paths(doc: Path) -> list[str]:
    return sorted(set(PATH_LIKE.findall(doc.read_text(encoding="utf-8"))))


@pytest.mark.parametrize("doc", ["README.md", "knowledge/README.md", "docs/deployment.md", "gateway/inbox/README.md"])
def test_every_path_named_in_the_docs_exists(doc):
    paths = named_paths(ROOT / doc)
    assert paths, f"{doc} names no paths"
    generated_at_setup = {"bot/models/wegwijs.tar.gz"}
    missing = [p for p in paths if p.rstrip("/") not in generated_at_setup and not (ROOT / p).exists()]
    assert not missing, f"{doc} names paths that do not exist: {missing}"


def readme_commands() -> dict[str, str]:
    """The two commands of the README's first code block: `{"run": ..., "test": ...}` by their comment."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("```", 2)[1]
    commands = {}
    for line in block.splitlines():
        command, _, comment = line.partition("#")
        if command.strip():
            commands["test" if "test" in comment else "run"] = command.strip()
    return commands


def test_ci_runs_the_test_command_from_the_readme():
    commands = readme_commands()
    assert set(commands) == {"run", "test"}, commands
    ci_lines = [
        line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert ci_lines[-1] in (commands["test"], f"exec {commands['test']}"), ci_lines[-1]
    for command in commands.values():  # both are scripts in the repository, executable
        script = ROOT / command.split()[0]
        assert script.is_file() and script.stat().st_mode & 0o111, command
