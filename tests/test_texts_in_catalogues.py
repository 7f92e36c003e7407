"""Every sentence a user or consultant reads comes from a catalogue in knowledge/, never from Python.

Walks all Python source outside tests and finds string literals that read like a sentence
(at least four words ending in a full stop, question or exclamation mark). Developer-facing
text is allowed: docstrings, log lines, exception messages, argparse help, `print` in command
line tools, `sys.exit` messages, `warnings`/`assert` messages, OpenAPI descriptions, a patch's
`reason`, and comments written into generated files.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ["knowledge", "redaction", "gateway", "channels", "bot/actions", "bot/addons", "bot/dialogue"]
LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical", "log"}


def _developer_facing(tree: ast.AST) -> set[int]:
    """ids of string constants that only developers or administrators read."""
    allowed: set[int] = set()

    def mark(node: ast.AST) -> None:
        for inner in ast.walk(node):
            if isinstance(inner, ast.Constant) and isinstance(inner.value, str):
                allowed.add(id(inner))

    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                allowed.add(id(first.value))
        elif isinstance(node, ast.Raise) and node.exc is not None:
            mark(node.exc)
        elif isinstance(node, ast.Assert) and node.msg is not None:
            mark(node.msg)
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in LOG_METHODS or name in {"print", "add_argument", "add_parser", "ArgumentParser", "warn"}:
                mark(node)
            if name in {"Field", "Query", "Body", "exit"}:  # OpenAPI descriptions, exit messages
                mark(node)
            for keyword in node.keywords:  # FastAPI(description=...), a patch's reason, argparse help
                if keyword.arg in {"description", "summary", "help", "reason"}:
                    mark(keyword.value)
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Attribute) and t.attr == "__doc__" for t in node.targets
        ):
            mark(node.value)
    return allowed


def sentences_in(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    allowed = _developer_facing(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in allowed:
            words = re.findall(r"[^\W\d_]{2,}", node.value)
            if node.value.lstrip().startswith("#"):  # a comment written into a generated file
                continue
            if len(words) >= 4 and re.search(r"[.?!؟]\s*$", node.value.strip()) and " " in node.value:
                found.append(node.value)
    return found


def python_files() -> list[str]:
    return sorted(
        str(path.relative_to(ROOT))
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations/versions" not in str(path)
    )


@pytest.mark.parametrize("module", python_files())
def test_no_user_facing_sentence_is_written_in_python(module: str) -> None:
    assert sentences_in(ROOT / module) == []


def test_the_walk_covers_every_package() -> None:
    files = python_files()
    for package in PACKAGES:
        assert any(f.startswith(package + "/") for f in files), package


def test_a_sentence_in_python_is_found_and_a_log_line_is_not(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        'import logging\nlog = logging.getLogger()\n'
        'def f():\n    """A docstring that is a sentence."""\n'
        '    log.info("The engine did not answer in time.")\n'
        '    return "Uw termijn is verlopen, neem contact op."\n'
    )
    assert sentences_in(module) == ["Uw termijn is verlopen, neem contact op."]
