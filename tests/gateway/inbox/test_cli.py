"""`python -m gateway.inbox create-consultant` makes accounts with hashed passwords."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select

from gateway.core.db import make_engine, make_session_factory
from gateway.inbox.__main__ import main
from gateway.inbox.models import Consultant
from gateway.inbox.security import verify_password
from tests.support.inbox import make_settings


def test_create_consultant_reads_the_password_from_stdin_and_stores_only_a_hash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(tmp_path)
    monkeypatch.setattr("sys.stdin", io.StringIO("een lang geheim wachtwoord\n"))

    code = main(["create-consultant", "--email", "Anna@Voorbeeldstad.nl", "--name", "Anna", "--password-stdin"], settings)

    assert code == 0
    assert "consultant 1 created: anna@voorbeeldstad.nl" in capsys.readouterr().out
    engine = make_engine(settings.database_url)
    with make_session_factory(engine)() as session:
        consultant = session.scalars(select(Consultant)).one()
    engine.dispose()
    assert consultant.password_hash.startswith("$argon2")
    assert verify_password(consultant.password_hash, "een lang geheim wachtwoord")


@pytest.mark.parametrize(
    ("password", "message"),
    [("kort", "too short"), ("een lang geheim wachtwoord", "already exists")],
    ids=["a short password is refused", "a second account with the same e-mail is refused"],
)
def test_create_consultant_refuses_bad_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], password: str, message: str
) -> None:
    settings = make_settings(tmp_path)
    monkeypatch.setattr("sys.stdin", io.StringIO("een lang geheim wachtwoord\n"))
    main(["create-consultant", "--email", "anna@voorbeeldstad.nl", "--name", "Anna", "--password-stdin"], settings)
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))

    code = main(["create-consultant", "--email", "anna@voorbeeldstad.nl", "--name", "A", "--password-stdin"], settings)

    assert code == 2
    assert message in capsys.readouterr().err


def test_deactivate_consultant_blocks_the_account(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = make_settings(tmp_path)
    monkeypatch.setattr("sys.stdin", io.StringIO("een lang geheim wachtwoord\n"))
    main(["create-consultant", "--email", "anna@voorbeeldstad.nl", "--name", "Anna", "--password-stdin"], settings)
    assert main(["deactivate-consultant", "--email", "anna@voorbeeldstad.nl"], settings) == 0
    engine = make_engine(settings.database_url)
    with make_session_factory(engine)() as session:
        assert session.scalars(select(Consultant.active)).one() is False
    engine.dispose()
