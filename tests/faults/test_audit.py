"""scripts/audit: fails only on advisories not accepted in SECURITY.md; never fails when offline."""

from __future__ import annotations

import importlib.util
import sys
from importlib.machinery import SourceFileLoader
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_audit():
    loader = SourceFileLoader("wegwijs_audit", str(ROOT / "scripts" / "audit"))
    spec = importlib.util.spec_from_loader("wegwijs_audit", loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules["wegwijs_audit"] = module  # dataclasses look their module up
    loader.exec_module(module)
    return module


audit = load_audit()


def report(*vulns: tuple[str, str, str, list[str]]) -> dict:
    return {"dependencies": [{"name": n, "version": v, "vulns": [{"id": i, "aliases": a, "fix_versions": []}]}
                             for n, v, i, a in vulns] + [{"name": "idna", "version": "3.20", "vulns": []}]}


def test_every_accepted_finding_in_security_md_has_a_reason_and_a_review_date() -> None:
    rows = [line for line in (ROOT / "SECURITY.md").read_text().splitlines()
            if line.startswith("| engine |") or line.startswith("| gateway |")]
    assert rows
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert len(cells[3]) > 30 and cells[4][:2] == "20", row


def test_the_gateway_lock_has_no_accepted_findings() -> None:
    assert {lock for lock, _, _ in audit.accepted_rules(ROOT / "SECURITY.md")} == {"engine"}


@pytest.fixture
def fake_audit(monkeypatch: pytest.MonkeyPatch):
    reports: dict[str, tuple[dict | None, str]] = {}
    # a lock the test does not mention (the gateway's dev tools) audits clean
    monkeypatch.setattr(audit, "run_pip_audit", lambda lock, path: reports.get(lock, (report(), "checked")))
    return reports


def test_a_finding_accepted_for_the_engine_passes(fake_audit, capsys) -> None:
    fake_audit["engine"] = (report(("tensorflow", "2.12.0", "PYSEC-2099-1", ["CVE-2099-1"])), "checked")
    fake_audit["gateway"] = (report(), "checked")
    assert audit.main([]) == 0
    assert "1 accepted in SECURITY.md, 0 not accepted" in capsys.readouterr().out


def test_a_gateway_finding_fails_and_prints_a_row_to_paste(fake_audit, capsys) -> None:
    fake_audit["engine"] = (report(), "checked")
    fake_audit["gateway"] = (report(("Jinja2", "3.1.0", "GHSA-aaaa-bbbb-cccc", ["CVE-2099-2"])), "checked")
    assert audit.main([]) == 1
    assert "| gateway | jinja2 | GHSA-aaaa-bbbb-cccc | <reason> |" in capsys.readouterr().out


def test_an_accepted_package_is_accepted_in_its_own_lock_only(fake_audit) -> None:
    fake_audit["engine"] = (report(), "checked")
    fake_audit["gateway"] = (report(("tensorflow", "2.12.0", "PYSEC-2099-1", [])), "checked")
    assert audit.main([]) == 1


def test_an_unreachable_advisory_database_is_reported_and_does_not_fail(fake_audit, capsys) -> None:
    fake_audit["engine"] = (None, "the advisory database could not be reached")
    fake_audit["gateway"] = (None, "the advisory database could not be reached")
    fake_audit["gateway-dev"] = (None, "the advisory database could not be reached")
    assert audit.main([]) == 0
    assert capsys.readouterr().out.count("AUDIT NOT PERFORMED") == 3


def test_the_engine_audit_includes_rasa_and_rasa_sdk_from_the_lock_header() -> None:
    path = audit.requirements_for("engine", audit.LOCKS["engine"])
    try:
        names = {line.split("==")[0] for line in path.read_text().splitlines()}
    finally:
        path.unlink()
    assert {"rasa", "rasa-sdk", "tensorflow"} <= names
