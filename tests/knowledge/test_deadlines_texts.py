"""The deadline texts live in the catalogue (knowledge/i18n/<lang>/messages/deadlines.yaml), not in Python."""
from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from knowledge import texts
from knowledge.deadlines import fields, rules
from knowledge.deadlines.labels import CHECK_KEYS, DATE_KEYS, PLANNING_KEYS

ROOT = Path(__file__).resolve().parents[2]
# The Python that talks about deadlines: none of it may hold a sentence a user reads.
MODULES = [
    "knowledge/deadlines/engine.py", "knowledge/deadlines/rules.py", "knowledge/deadlines/fields.py",
    "knowledge/deadlines/labels.py", "knowledge/deadlines/pace.py", "knowledge/deadlines/ruleset.py",
    "knowledge/deadlines/dates.py", "bot/dialogue/deadline_chat.py", "gateway/media/timeline.py",
    "gateway/media/calendar_ics.py", "bot/actions/deadlines.py", "gateway/media/deadlines.py",
]


def nl() -> dict[str, str]:
    return {k: v for k, v in texts.catalogue("nl").items() if k.startswith("deadlines.")}


def en() -> dict[str, str]:
    return {k: v for k, v in texts.catalogue("en").items() if k.startswith("deadlines.")}


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def sentences_in(path: Path) -> list[str]:
    """String literals that read like a sentence to a user (words and a full stop or question mark)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            words = re.findall(r"[A-Za-zÀ-ÿ]{2,}", node.value)
            if len(words) >= 4 and re.search(r"[.?!]\s*$", node.value.strip()) and " " in node.value:
                found.append(node.value)
    return found


@pytest.mark.parametrize("module", MODULES)
def test_no_user_facing_sentence_is_written_in_python(module: str) -> None:
    assert sentences_in(ROOT / module) == []


def test_the_sentence_finder_finds_a_sentence(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text('"""Docstrings may hold sentences like this one."""\n'
                     'MESSAGE = "Typ de datum opnieuw, bijvoorbeeld 12-05-2024."\nKEY = "deadlines.label.today"\n',
                     encoding="utf-8")
    assert sentences_in(probe) == ["Typ de datum opnieuw, bijvoorbeeld 12-05-2024."]


def test_dutch_and_english_have_the_same_keys_and_placeholders() -> None:
    assert set(nl()) == set(en())
    for key, text in nl().items():
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
        assert names == {name for _, name, _, _ in string.Formatter().parse(en()[key]) if name}, key


@pytest.mark.parametrize("lang", ["nl", "en", "tr", "ar", "pt"])
def test_every_language_has_twelve_month_names_and_a_date_format(lang: str) -> None:
    catalogue = texts.catalogue(lang)
    months = [catalogue.get(f"deadlines.month.{m}") for m in range(1, 13)]
    assert all(months) and len(set(months)) == 12
    assert {"day", "month", "year"} <= {n for _, n, _, _ in string.Formatter().parse(catalogue["deadlines.date_format"]) if n}


def test_every_output_key_field_warning_and_error_has_a_text() -> None:
    keys = set(nl())
    for key in ("law", *DATE_KEYS, *PLANNING_KEYS, *CHECK_KEYS, "extended_end"):
        assert f"deadlines.label.{key}" in keys
    for spec in fields.FIELDS:
        assert f"deadlines.field.{spec.name}" in keys
    for code, _ in rules.WARNINGS:
        assert f"deadlines.warning.{code}" in keys
    codes = set(re.findall(r'InvalidInput\([^,]+, "([a-z_]+)"', (ROOT / "knowledge/deadlines/fields.py").read_text()))
    assert codes and {f"deadlines.error.{code}" for code in codes} <= keys


def test_every_catalogue_key_the_code_names_exists() -> None:
    keys = set(nl())
    named = 0
    pattern = re.compile(r'text\(\s*"deadlines\.([a-z_0-9.]+)"|_t\("([a-z_0-9.]+)"')
    for module in MODULES:
        for match in pattern.finditer((ROOT / module).read_text(encoding="utf-8")):
            name = match.group(1) or match.group(2)
            if not name.endswith("."):
                assert f"deadlines.{name}" in keys, (module, name)
                named += 1
    assert named > 20


def test_the_english_catalogue_says_who_made_it() -> None:
    import yaml

    data = yaml.safe_load((ROOT / "knowledge/i18n/en/messages/deadlines.yaml").read_text(encoding="utf-8"))
    assert data["translation"]["made_by"] == "Wegwijs team"
    assert {"reviewed_by", "reviewed_on"} <= set(data["translation"])
