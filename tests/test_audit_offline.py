"""Review finding 9: scripts/audit works offline (requirements/advisories.yml against the locks)
and fails on a listed finding that SECURITY.md does not accept; the gateway's runtime lock holds
no test tools."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
loader = importlib.machinery.SourceFileLoader("wegwijs_audit", str(ROOT / "scripts" / "audit"))
spec = importlib.util.spec_from_loader("wegwijs_audit", loader)
audit = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
sys.modules["wegwijs_audit"] = audit  # dataclasses look their module up
loader.exec_module(audit)


def test_the_offline_list_finds_the_engines_dnspython_and_sentry_sdk_and_security_md_accepts_them() -> None:
    found = {(f.lock, f.package, f.advisory) for f in audit.offline_findings()}
    assert ("engine", "dnspython", "CVE-2023-29483") in found
    assert ("engine", "sentry-sdk", "CVE-2024-40647") in found
    rules = audit.accepted_rules(ROOT / "SECURITY.md")
    assert [f for f in audit.offline_findings() if not audit.is_accepted(f, rules)] == []


def test_an_unaccepted_listed_finding_fails_the_audit_offline(tmp_path: Path, monkeypatch) -> None:
    security = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    without = "\n".join(line for line in security.splitlines() if "| dnspython |" not in line)
    (tmp_path / "SECURITY.md").write_text(without, encoding="utf-8")
    monkeypatch.setattr(audit, "PIP_AUDIT", tmp_path / "no-pip-audit")  # offline: only the list
    assert audit.main(["--security-md", str(tmp_path / "SECURITY.md")]) == 1
    assert audit.main(["--security-md", str(ROOT / "SECURITY.md")]) == 0


def test_the_runtime_lock_holds_no_test_tools() -> None:
    runtime = (ROOT / "requirements" / "gateway.lock").read_text(encoding="utf-8").lower()  # pins keep their case
    dev = (ROOT / "requirements" / "gateway-dev.lock").read_text(encoding="utf-8").lower()
    for tool in ("pytest==", "schemathesis==", "playwright==", "py-spy==", "pip_audit==", "aiosmtpd==", "hypothesis=="):
        assert tool not in runtime and tool in dev, tool
    for needed in ("fastapi==", "uvicorn==", "sqlalchemy==", "python-telegram-bot==", "pyotp=="):
        assert needed in runtime, needed
