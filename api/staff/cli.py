"""Create the first admin (or any account) from the command line.

    python -m api.staff.cli create-user --email admin@example.org --name "Sam" --role admin

The password is asked for twice without echo, or read from FRONT_DOOR_NEW_PASSWORD
for automated set-ups. The database is migrated first, so this works on a new install.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from sqlmodel import Session

from api.core.audit import audit
from api.core.config import get_settings
from api.core.db import make_engine, migrate
from api.staff import service
from api.staff.models import ROLES

PASSWORD_VARIABLE = "FRONT_DOOR_NEW_PASSWORD"  # noqa: S105 (a variable name)


def _password() -> str:
    from_environment = os.environ.get(PASSWORD_VARIABLE)
    if from_environment:
        return from_environment
    first = getpass.getpass("Password (at least 12 characters): ")
    if getpass.getpass("The same password again: ") != first:
        raise SystemExit("The two passwords were different; nothing was created.")
    return first


def create_user(email: str, name: str, role: str) -> int:
    settings = get_settings()
    migrate(settings.database_url)
    engine = make_engine(settings.database_url)
    with Session(engine) as db_session:
        try:
            user = service.create_user(
                db_session, email=email, display_name=name, password=_password(), role=role
            )
        except service.AccountError as error:
            print(f"Not created: {error.code.replace('_', ' ')}.", file=sys.stderr)
            return 1
        audit(db_session, "account_created", actor_id=None, detail=f"user {user.id} (cli)")
        db_session.commit()
        print(f"Created {role} account {user.id}. Sign in at /staff/sign-in.")
    engine.dispose()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.staff.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-user", help="create a staff or admin account")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True, help="the name colleagues see")
    create.add_argument("--role", choices=ROLES, default="admin")
    args = parser.parse_args(argv)
    return create_user(args.email, args.name, args.role)


if __name__ == "__main__":
    raise SystemExit(main())
