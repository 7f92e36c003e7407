"""Every repository path the README and knowledge/README name exists (both Rasa demos drifted)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PATH_LIKE = re.compile(r"`((?:scripts|knowledge|bot|channels|inbox|tests|requirements|bench|\.ci)/[^`\s<>*]*)`")


def named_paths(doc: Path) -> list[str]:
    return sorted(set(PATH_LIKE.findall(doc.read_text(encoding="utf-8"))))


@pytest.mark.parametrize("doc", ["README.md", "knowledge/README.md"])
def test_every_path_named_in_the_docs_exists(doc):
    paths = named_paths(ROOT / doc)
    assert paths, f"{doc} names no paths"
    generated_at_setup = {"bot/models/wegwijs.tar.gz"}
    missing = [p for p in paths if p.rstrip("/") not in generated_at_setup and not (ROOT / p).exists()]
    assert not missing, f"{doc} names paths that do not exist: {missing}"


def test_ci_runs_the_test_command_from_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "scripts/test" in readme and "scripts/test" in ci
