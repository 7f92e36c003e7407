"""The registry of engine patches (addons.patches): complete entries, WEGWIJS_ENGINE_PATCHES, version checks."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("rasa")

from addons import patches  # noqa: E402
from addons.patches import NAMES, REGISTRY, PatchSettingError  # noqa: E402

BOT = Path(__file__).resolve().parents[2] / "bot"


def raw(target: str):
    """What the target's owner holds itself (a staticmethod stays a staticmethod), or a marker."""
    owner, attribute = patches.resolve(target)
    return vars(owner).get(attribute, getattr(owner, attribute))


@pytest.fixture
def stock(monkeypatch):
    """Stock Rasa for the test (patches reverted, setting unset); the state before is put back after."""
    monkeypatch.delenv(patches.SETTING, raising=False)
    saved_applied, saved_undo = patches._applied, list(patches._undo)
    before = []
    for patch in REGISTRY:
        owner, attribute = patches.resolve(patch.target)
        before.append((owner, attribute, attribute in vars(owner), vars(owner).get(attribute)))
    patches.revert()
    stock_values = {p.name: raw(p.target) for p in REGISTRY}
    yield stock_values
    patches.revert()
    for owner, attribute, owned, value in before:
        if owned:
            setattr(owner, attribute, value)
        elif attribute in vars(owner):
            delattr(owner, attribute)
    patches._applied = saved_applied
    patches._undo[:] = saved_undo


def changed(stock_values: dict) -> set:
    return {p.name for p in REGISTRY if raw(p.target) is not stock_values[p.name]}


# --- the entries -------------------------------------------------------------------------------------


def test_every_entry_has_a_name_a_resolvable_target_versions_and_a_reason():
    assert len(set(NAMES)) == len(NAMES) == len(REGISTRY) >= 9
    for patch in REGISTRY:
        assert patch.name.isidentifier() and patch.name.islower(), patch.name
        owner, attribute = patches.resolve(patch.target)  # an existing attribute of the installed packages
        assert hasattr(owner, attribute), patch.target
        assert patch.target.startswith("rasa."), patch.target
        assert patch.versions.get("rasa"), f"{patch.name}: no Rasa version"
        for distribution, expected in patch.versions.items():
            assert isinstance(expected, str) and expected, (patch.name, distribution)
        reason = patch.reason.strip()
        assert reason[:1].isupper() and reason.endswith(".") and ". " not in reason, f"{patch.name}: one sentence"
        assert callable(patch.make)


def test_every_entry_was_written_for_the_installed_versions():
    """Otherwise the engine of this repository would run without it (a WARNING at start-up)."""
    assert {p.name: patches.mismatches(p) for p in REGISTRY if patches.mismatches(p)} == {}


def test_a_target_that_does_not_exist_is_an_error():
    with pytest.raises(AttributeError):
        patches.resolve("rasa.core.agent.Agent.no_such_method")
    with pytest.raises(ImportError):
        patches.resolve("no_such_package.thing")


# --- apply() and WEGWIJS_ENGINE_PATCHES -----------------------------------------------------------------


def test_importing_the_addons_modules_patches_nothing():
    """A fresh interpreter imports every addons module: Rasa stays as it is until apply() is called."""
    code = (
        "import pkgutil, importlib, addons\n"
        "for m in pkgutil.iter_modules(addons.__path__): importlib.import_module('addons.' + m.name)\n"
        "from addons import patches\n"
        "from rasa.core.actions.action import RemoteAction\n"
        "import rasa.core.processor\n"
        "from rasa.engine.runner.dask import DaskGraphRunner\n"
        "assert patches.applied() == [], patches.applied()\n"
        "assert RemoteAction._validate_action_result is not patches.validate_action_result\n"
        "assert rasa.core.processor.DaskGraphRunner is DaskGraphRunner\n"
        "assert not any(hasattr(getattr(*patches.resolve(p.target)), '__wrapped__') for p in patches.REGISTRY)\n"
        "print('stock')\n"
    )
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONWARNINGS="ignore", RASA_TELEMETRY_ENABLED="false")
    result = subprocess.run([sys.executable, "-c", code], cwd=BOT, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("stock")


def test_all_applies_every_patch_once_and_logs_them_at_info(stock, caplog):
    caplog.set_level(logging.INFO, logger="addons.patches")
    assert patches.apply() == list(NAMES)  # the default is all
    assert changed(stock) == set(NAMES)
    assert patches.applied() == list(NAMES)
    lines = [r for r in caplog.records if r.levelno == logging.INFO and "engine patches applied" in r.getMessage()]
    assert len(lines) == 1 and all(name in lines[0].getMessage() for name in NAMES)
    after_first = {p.name: raw(p.target) for p in REGISTRY}
    assert patches.apply() == list(NAMES)  # idempotent: nothing wrapped twice
    assert patches.apply("none") == list(NAMES)  # the first call at start-up decides
    assert {p.name: raw(p.target) for p in REGISTRY} == after_first


def test_none_applies_nothing(stock, monkeypatch):
    monkeypatch.setenv(patches.SETTING, "none")
    assert patches.apply() == []
    assert changed(stock) == set()


@pytest.mark.parametrize("name", NAMES)
def test_minus_name_skips_exactly_that_patch(stock, monkeypatch, name):
    monkeypatch.setenv(patches.SETTING, f"-{name}")
    assert patches.apply() == [n for n in NAMES if n != name]
    assert changed(stock) == set(NAMES) - {name}


def test_names_without_minus_select_only_those(stock, monkeypatch):
    monkeypatch.setenv(patches.SETTING, " rule_search_cutoff , event_type_table ")
    assert patches.apply() == ["rule_search_cutoff", "event_type_table"]  # in registry order
    assert changed(stock) == {"rule_search_cutoff", "event_type_table"}


def test_several_minus_names_and_all(stock):
    assert patches.select("-direct_model_calls,-sequential_graph_runner") == [
        p for p in REGISTRY if p.name not in ("direct_model_calls", "sequential_graph_runner")]
    assert patches.select("ALL") == list(REGISTRY)
    assert patches.select("") == list(REGISTRY)
    assert patches.select(" none ") == []


def test_a_version_mismatch_skips_the_patch_with_a_warning(stock, monkeypatch, caplog):
    real = patches.installed_version
    monkeypatch.setattr(patches, "installed_version", lambda d: "2.15.0" if d == "tensorflow" else real(d))
    with caplog.at_level(logging.INFO, logger="addons.patches"):
        assert patches.apply("all") == [n for n in NAMES if n != "direct_model_calls"]
    assert changed(stock) == set(NAMES) - {"direct_model_calls"}
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("direct_model_calls" in w and "tensorflow" in w and "2.12.*" in w and "2.15.0" in w for w in warnings), warnings
    info = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert any("skipped for versions: direct_model_calls" in line for line in info), info


def test_a_package_that_is_not_installed_skips_the_patch(stock, monkeypatch, caplog):
    real = patches.installed_version
    monkeypatch.setattr(patches, "installed_version", lambda d: None if d == "fastjsonschema" else real(d))
    with caplog.at_level(logging.WARNING, logger="addons.patches"):
        assert "action_result_check" not in patches.apply("all")
    assert any("action_result_check" in r.getMessage() and "fastjsonschema" in r.getMessage() for r in caplog.records)


def test_another_rasa_version_skips_every_patch(stock, monkeypatch):
    real = patches.installed_version
    monkeypatch.setattr(patches, "installed_version", lambda d: "3.6.20" if d == "rasa" else real(d))
    assert patches.apply("all") == []
    assert changed(stock) == set()


@pytest.mark.parametrize("setting", ["no_such_patch", "-no_such_patch", "rule_search_cutoff,typo", "-event_type_table,-x"])
def test_unknown_names_are_an_error_that_lists_the_valid_names(stock, monkeypatch, setting):
    monkeypatch.setenv(patches.SETTING, setting)
    with pytest.raises(PatchSettingError) as error:
        patches.apply()
    assert all(name in str(error.value) for name in NAMES)
    assert patches.SETTING in str(error.value)
    assert changed(stock) == set()  # nothing half applied
    assert patches.applied() == []


def test_mixing_names_and_minus_names_is_an_error(stock):
    with pytest.raises(PatchSettingError):
        patches.select("rule_search_cutoff,-event_type_table")


@pytest.mark.parametrize(("installed", "expected", "matches"), [
    ("3.6.21", "3.6.21", True), ("3.6.20", "3.6.21", False), ("3.6.210", "3.6.21", False),
    ("2.12.0", "2.12.*", True), ("2.12.1", "2.12.*", True), ("2.13.0", "2.12.*", False),
    ("1.10.1", ">=1.10,<1.11", True), ("1.11.0", ">=1.10,<1.11", False), ("2.12.0rc1", "2.12.*", True),
])
def test_version_matching(installed, expected, matches, monkeypatch):
    assert patches.version_matches(installed, expected) is matches
    monkeypatch.setitem(sys.modules, "packaging.specifiers", None)  # without packaging: fnmatch
    if expected[:1] not in "<>=":
        assert patches.version_matches(installed, expected) is matches


# --- where the engine applies them --------------------------------------------------------------------


def test_the_engines_tracker_store_applies_the_patches_at_start_up(stock, tmp_path):
    """``rasa run`` creates the tracker store of bot/endpoints.yml before it loads the model."""
    from rasa.shared.core.domain import Domain

    from addons.stores import ResilientSQLTrackerStore

    ResilientSQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
    assert patches.applied() == list(NAMES)
    assert changed(stock) == set(NAMES)


def test_an_unknown_name_stops_the_engine_at_start_up(stock, monkeypatch, tmp_path):
    from rasa.core.tracker_store import TrackerStore
    from rasa.utils.endpoints import EndpointConfig

    monkeypatch.setenv(patches.SETTING, "-no_such_patch")
    config = EndpointConfig(type="addons.stores.ResilientSQLTrackerStore", dialect="sqlite", db=str(tmp_path / "t.db"))
    with pytest.raises(PatchSettingError, match="valid names"):  # not Rasa's fallback to an in-memory store
        TrackerStore.create(config)
