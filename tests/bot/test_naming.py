"""Action class names, action names and the domain agree (the drift the Rasa demos show)."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

rasa_sdk = pytest.importorskip("rasa_sdk")
from rasa_sdk import Action  # noqa: E402

BOT_DIR = Path(__file__).resolve().parents[2] / "bot"


def all_actions() -> list[type]:
    classes = []
    for path in sorted((BOT_DIR / "actions").glob("*.py")):
        module = importlib.import_module(f"actions.{path.stem}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Action) and cls.__module__ == module.__name__ and cls.name is not Action.name:
                try:
                    cls().name()
                except Exception:  # abstract helpers without a name
                    continue
                if not cls().name().endswith("_"):  # skip generic bases such as ActionAskDeadlineField
                    classes.append(cls)
    return classes


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def test_every_action_class_is_named_after_its_action_name():
    classes = all_actions()
    assert len(classes) >= 15
    for cls in classes:
        assert snake(cls.__name__) == cls().name(), cls


def test_every_action_is_declared_in_the_domain():
    from rasa.shared.core.domain import Domain

    domain = Domain.load(str(BOT_DIR / "domain"))
    declared = set(domain.user_actions)
    for cls in all_actions():
        assert cls().name() in declared, cls().name()
