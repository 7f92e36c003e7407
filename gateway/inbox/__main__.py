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
            if args.command == "create-consultant":
                try:
                    spoken = parse_languages(args.languages)
                    password = _read_password(args.password_stdin)
                    consultant = create_consultant(
                        session=session, email=args.email, name=args.name, password=password, languages=spoken
                    )
                except ValueError as exc:
                    print(f"error: {exc}", file=sys.stderr)
                    return 2
                session.commit()
                print(f"consultant {consultant.id} created: {consultant.email} (languages: {consultant.languages})")
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
