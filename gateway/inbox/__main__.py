"""Manage consultant accounts of the inbox.

Usage:
    python -m gateway.inbox create-consultant --email anna@gemeente.nl --name "Anna de Vries" [--languages nl,tr]
    echo "$PASSWORD" | python -m gateway.inbox create-consultant --email ... --name ... --password-stdin
    python -m gateway.inbox set-languages --email anna@gemeente.nl --languages nl,en,ar
                                                                     the languages she speaks (codes of
                                                                     knowledge/languages.yml; default nl)
    python -m gateway.inbox deactivate-consultant --email anna@gemeente.nl
    python -m gateway.inbox enable-totp --email anna@gemeente.nl             two-step login: prints the secret
                                                                     and an otpauth:// link (QR code)
    python -m gateway.inbox confirm-totp --email anna@gemeente.nl --code 123456   switches it on
    python -m gateway.inbox disable-totp --email anna@gemeente.nl

Teams and access (a consultant sees only the municipalities of their teams):
    python -m gateway.inbox create-team --team regio-rivierland --name "Regio Rivierland" [--notify-emails a@x.nl]
                                                                     [--webhook-url https://...]
    python -m gateway.inbox add-municipality --team regio-rivierland --municipality rivierdam
    python -m gateway.inbox add-to-team --email anna@gemeente.nl --team regio-rivierland
    python -m gateway.inbox create-consultant --email ... --name ... --team regio-rivierland
    python -m gateway.inbox make-admin --email anna@gemeente.nl [--revoke]   manages teams and consultants
    python -m gateway.inbox list-teams
    python -m gateway.inbox seed-demo [--password-stdin]    the local run's example teams and accounts
                                                            (idempotent; prints a new password once)

The database is WEGWIJS_DATABASE_URL (migrated first, like the gateway does at start-up).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.core.config import Settings, get_settings
from gateway.core.db import make_engine, make_session_factory, migrate
from gateway.inbox import teams
from gateway.inbox.models import DEFAULT_LANGUAGES, Consultant, parse_languages
from gateway.inbox.security import confirm_totp, create_consultant, disable_totp, enroll_totp
from knowledge import languages as wegwijs_languages

LANGUAGE_CODES = ", ".join(wegwijs_languages.CODES)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Wachtwoord (minimaal 12 tekens): ")
    second = getpass.getpass("Herhaal het wachtwoord: ")
    if first != second:
        raise ValueError("the passwords do not match")
    return first


def main(argv: list[str] | None = None, settings: Settings | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gateway.inbox", description="Consultant accounts of the Wegwijs inbox")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-consultant", help="create a consultant account")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    create.add_argument(
        "--languages", default=DEFAULT_LANGUAGES, help=f"languages spoken, comma-separated codes ({LANGUAGE_CODES})"
    )
    create.add_argument("--team", action="append", default=[], help="team code (repeat for more teams)")
    create_team = commands.add_parser("create-team", help="create a team of consultants")
    create_team.add_argument("--team", required=True, help="code: a-z, 0-9 and -")
    create_team.add_argument("--name", required=True)
    create_team.add_argument("--notify-emails", default="", help="comma-separated addresses for new tickets")
    create_team.add_argument(
        "--webhook-url", default="", help="the team's webhook for new tickets (signed with WEGWIJS_HANDOFF_WEBHOOK_SECRET)"
    )
    add_municipality = commands.add_parser("add-municipality", help="let a team serve a municipality")
    add_municipality.add_argument("--team", required=True)
    add_municipality.add_argument("--municipality", required=True, help="a file stem in knowledge/municipalities/")
    add_to_team = commands.add_parser("add-to-team", help="put a consultant in a team")
    add_to_team.add_argument("--email", required=True)
    add_to_team.add_argument("--team", required=True)
    make_admin = commands.add_parser("make-admin", help="let a consultant manage teams and consultants")
    make_admin.add_argument("--email", required=True)
    make_admin.add_argument("--revoke", action="store_true", help="take the admin role away")
    commands.add_parser("list-teams", help="teams, their municipalities and consultants")
    seed = commands.add_parser("seed-demo", help="example teams and accounts of the local run (idempotent)")
    seed.add_argument("--password-stdin", action="store_true", help="read the new accounts' password from stdin")
    set_languages = commands.add_parser("set-languages", help="set the languages a consultant speaks")
    set_languages.add_argument("--email", required=True)
    set_languages.add_argument("--languages", required=True, help=f"comma-separated codes ({LANGUAGE_CODES})")
    deactivate = commands.add_parser("deactivate-consultant", help="block an account (its sessions stop working)")
    deactivate.add_argument("--email", required=True)
    enable = commands.add_parser(
        "enable-totp", help="enrol two-step login (TOTP): prints a new secret; confirm it with confirm-totp"
    )
    enable.add_argument("--email", required=True)
    confirm = commands.add_parser("confirm-totp", help="switch two-step login on with a code from the app")
    confirm.add_argument("--email", required=True)
    confirm.add_argument("--code", required=True)
    disable = commands.add_parser("disable-totp", help="switch two-step login off (e.g. a lost phone)")
    disable.add_argument("--email", required=True)
    args = parser.parse_args(argv)

    settings = settings or get_settings()
    migrate(settings)
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            if args.command in TOTP_COMMANDS:
                return _totp_command(session, args)
            if args.command in TEAM_COMMANDS:
                return _team_command(session, args)
            if args.command == "create-consultant":
                try:
                    spoken = parse_languages(args.languages)
                    in_teams = [_team(session, slug) for slug in args.team]
                    password = _read_password(args.password_stdin)
                    consultant = create_consultant(
                        session=session, email=args.email, name=args.name, password=password, languages=spoken
                    )
                    for team in in_teams:
                        teams.add_member(session=session, team=team, consultant=consultant)
                except ValueError as exc:
                    print(f"error: {exc}", file=sys.stderr)
                    return 2
                session.commit()
                print(f"consultant {consultant.id} created: {consultant.email} (languages: {consultant.languages})")
                if not in_teams:
                    print("note: in no team yet, so no tickets are visible; use add-to-team")
            else:
                found = session.scalars(
                    select(Consultant).where(Consultant.email == args.email.strip().lower())
                ).one_or_none()
                if found is None:
                    print(f"error: no consultant with e-mail {args.email}", file=sys.stderr)
                    return 2
                consultant = found
                if args.command == "set-languages":
                    try:
                        consultant.languages = parse_languages(args.languages)
                    except ValueError as exc:
                        print(f"error: {exc}", file=sys.stderr)
                        return 2
                    session.commit()
                    print(f"consultant {consultant.id} speaks: {consultant.languages}")
                    return 0
                consultant.active = False
                session.commit()
                print(f"consultant {consultant.id} deactivated")
    finally:
        engine.dispose()
    return 0


TOTP_COMMANDS = ("enable-totp", "confirm-totp", "disable-totp")
TEAM_COMMANDS = ("create-team", "add-municipality", "add-to-team", "make-admin", "list-teams", "seed-demo")


def _team(session: Session, slug: str) -> teams.Team:
    team = teams.find_team(session=session, slug=slug)
    if team is None:
        raise ValueError(f"no team {slug!r} (see list-teams)")
    return team


def _team_command(session: Session, args: argparse.Namespace) -> int:
    try:
        if args.command == "create-team":
            team = teams.create_team(session=session, slug=args.team, name=args.name)
            if args.notify_emails or args.webhook_url:
                teams.set_notify(session=session, team=team, emails=args.notify_emails, webhook_url=args.webhook_url)
            print(f"team {team.slug} created")
        elif args.command == "add-municipality":
            team = _team(session, args.team)
            added = teams.add_municipality(session=session, team=team, municipality=args.municipality)
            print(f"team {team.slug} serves {args.municipality}" + ("" if added else " (already)"))
        elif args.command == "add-to-team":
            team = _team(session, args.team)
            consultant = teams.find_consultant(session=session, email=args.email)
            if consultant is None:
                raise ValueError(f"no consultant with e-mail {args.email}")
            added = teams.add_member(session=session, team=team, consultant=consultant)
            print(f"consultant {consultant.id} in team {team.slug}" + ("" if added else " (already)"))
        elif args.command == "make-admin":
            consultant = teams.find_consultant(session=session, email=args.email)
            if consultant is None:
                raise ValueError(f"no consultant with e-mail {args.email}")
            consultant.is_admin = not args.revoke
            print(f"consultant {consultant.id} is {'no longer ' if args.revoke else ''}an admin")
        elif args.command == "list-teams":
            for team in teams.list_teams(session=session):
                people = ", ".join(c.email for c in teams.members(session=session, team=team)) or "-"
                print(f"{team.slug}\t{team.name}\tmunicipalities: {', '.join(team.municipality_codes) or '-'}"
                      f"\tconsultants: {people}")
        else:  # seed-demo
            given = _read_password(True) if args.password_stdin else None
            created, password = teams.seed_demo(session=session, password=given)
            for line in created:
                print(f"created: {line}")
            if password and not given:
                print(f"password of the new demo accounts: {password}")
            if not created:
                print("demo teams and accounts exist already")
    except ValueError as exc:  # TeamError is one too
        session.rollback()
        print(f"error: {exc}", file=sys.stderr)
        return 2
    session.commit()
    return 0


def _totp_command(session: Session, args: argparse.Namespace) -> int:
    consultant = session.scalars(select(Consultant).where(Consultant.email == args.email.strip().lower())).one_or_none()
    if consultant is None:
        print(f"error: no consultant with e-mail {args.email}", file=sys.stderr)
        return 2
    if args.command == "enable-totp":
        secret, uri = enroll_totp(session=session, consultant=consultant)
        session.commit()
        print(f"two-step login enrolled for consultant {consultant.id} (not active yet)")
        print(f"secret: {secret}")
        print(f"app link (show as QR code): {uri}")
        print("then: python -m gateway.inbox confirm-totp --email ... --code <the 6 digits the app shows>")
        return 0
    if args.command == "confirm-totp":
        if not confirm_totp(session=session, consultant=consultant, code=args.code):
            print("error: the code does not match the enrolled secret (run enable-totp first?)", file=sys.stderr)
            return 2
        session.commit()
        print(f"two-step login is on for consultant {consultant.id}")
        return 0
    if not disable_totp(session=session, consultant=consultant):
        print(f"consultant {consultant.id} has no two-step login")
        return 0
    session.commit()
    print(f"two-step login is off for consultant {consultant.id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
