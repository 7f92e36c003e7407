"""Teams in the CLI: create a team, let it serve municipalities, put consultants in it, admins,
and the local run's idempotent demo seed."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from gateway.core.db import make_engine, make_session_factory
from gateway.inbox.__main__ import main
from gateway.inbox.access import municipalities_of
from gateway.inbox.teams import find_consultant, find_team
from tests.support.inbox import make_settings


def _state(settings, email: str) -> tuple[frozenset[str], bool]:  # noqa: ANN001
    engine = make_engine(settings.database_url)
    with make_session_factory(engine)() as session:
        consultant = find_consultant(session=session, email=email)
        assert consultant is not None
        result = municipalities_of(session, consultant.id), consultant.is_admin
    engine.dispose()
    return result


def test_teams_municipalities_members_and_admins_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(tmp_path)
    assert main(["create-team", "--team", "regio-rivierland", "--name", "Regio Rivierland"], settings) == 0
    assert main(["add-municipality", "--team", "regio-rivierland", "--municipality", "rivierdam"], settings) == 0
    assert main(["add-municipality", "--team", "regio-rivierland", "--municipality", "heidebeek"], settings) == 0
    assert main(["add-municipality", "--team", "regio-rivierland", "--municipality", "atlantis"], settings) == 2
    assert main(["create-team", "--team", "Geen Code!", "--name", "x"], settings) == 2
    monkeypatch.setattr("sys.stdin", io.StringIO("een lang geheim wachtwoord\n"))
    assert main(["create-consultant", "--email", "bram@rivierland.nl", "--name", "Bram", "--password-stdin",
                 "--team", "regio-rivierland"], settings) == 0
    assert _state(settings, "bram@rivierland.nl") == (frozenset({"rivierdam", "heidebeek"}), False)

    assert main(["create-team", "--team", "voorbeeldstad", "--name", "Team Voorbeeldstad"], settings) == 0
    assert main(["add-municipality", "--team", "voorbeeldstad", "--municipality", "voorbeeldstad"], settings) == 0
    assert main(["add-to-team", "--email", "bram@rivierland.nl", "--team", "voorbeeldstad"], settings) == 0
    assert main(["make-admin", "--email", "bram@rivierland.nl"], settings) == 0
    assert _state(settings, "bram@rivierland.nl") == (frozenset({"rivierdam", "heidebeek", "voorbeeldstad"}), True)
    assert main(["make-admin", "--email", "bram@rivierland.nl", "--revoke"], settings) == 0
    assert _state(settings, "bram@rivierland.nl")[1] is False

    capsys.readouterr()
    assert main(["list-teams"], settings) == 0
    listing = capsys.readouterr().out
    assert "regio-rivierland" in listing and "heidebeek, rivierdam" in listing and "bram@rivierland.nl" in listing


def test_the_demo_seed_makes_two_teams_and_three_accounts_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(tmp_path)
    assert main(["seed-demo"], settings) == 0
    first = capsys.readouterr().out
    assert "password of the new demo accounts:" in first
    assert main(["seed-demo"], settings) == 0
    assert "exist already" in capsys.readouterr().out

    engine = make_engine(settings.database_url)
    with make_session_factory(engine)() as session:
        region = find_team(session=session, slug="regio-rivierland")
        own = find_team(session=session, slug="voorbeeldstad")
        assert region is not None and own is not None
        assert region.municipality_codes == ("heidebeek", "rivierdam")
        assert own.municipality_codes == ("voorbeeldstad",)
    engine.dispose()
    assert _state(settings, "admin@example.org") == (frozenset({"voorbeeldstad", "rivierdam", "heidebeek"}), True)
    assert _state(settings, "regievoerder@rivierland.example") == (frozenset({"rivierdam", "heidebeek"}), False)
