"""`journal roles show|grant|revoke|reset` and `journal audit --student ID`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.exchange_commands import date_argument
from bot.settings import Settings
from core import migrate
from core.access import matrix as matrices
from core.access.permissions import DEFAULT_MATRIX, Permission
from core.db import create_engine, create_sessionmaker
from core.linking.targets import InviteTargetError, resolve_school
from core.models import AuditRecord, Staff, Student
from core.models.enums import PermissionScope, Role
from core.services.naming import short_name


class CommandError(Exception):
    """One line for the operator; exit code 2."""


def add_commands(commands: Any) -> None:
    roles = commands.add_parser("roles", help="show or change the role permission matrix")
    actions = roles.add_subparsers(dest="roles_command", required=True, metavar="ACTION")
    show = actions.add_parser("show", help="the matrix: permission × role → scope")
    show.add_argument("--role", choices=[r.value for r in Role])
    grant = actions.add_parser("grant", help="set the scope of one role's permission")
    grant.add_argument("role", choices=[r.value for r in Role])
    grant.add_argument("permission", choices=[p.value for p in Permission])
    grant.add_argument("scope", choices=[s.value for s in PermissionScope])
    revoke = actions.add_parser("revoke", help="take one permission from a role (scope none)")
    revoke.add_argument("role", choices=[r.value for r in Role])
    revoke.add_argument("permission", choices=[p.value for p in Permission])
    reset = actions.add_parser("reset", help="back to the regulation's defaults")
    reset.add_argument("role", nargs="?", choices=[r.value for r in Role])
    reset.add_argument("permission", nargs="?", choices=[p.value for p in Permission])
    for parser in (show, grant, revoke, reset):
        parser.add_argument("--school", metavar="ID", help="the school's id (several in one DB)")
    roles.set_defaults(handler=_roles)

    audit = commands.add_parser("audit", help="who read a student's data, what and when")
    audit.add_argument(
        "--student", required=True, metavar="ID", help="the school's id, or #<db id>"
    )
    audit.add_argument("--since", type=date_argument, help="from this date on")
    audit.add_argument("--limit", type=int, default=200, help="at most this many (newest last)")
    audit.add_argument("--school", metavar="ID", help="the school's id (several in one DB)")
    audit.set_defaults(handler=_audit)


def _run(settings: Settings, work: Callable[[AsyncSession], Awaitable[None]]) -> int:
    migrate.upgrade(settings.database_url)

    async def go() -> None:
        engine = create_engine(settings.database_url)
        try:
            async with create_sessionmaker(engine)() as session:
                await work(session)
                await session.commit()
        finally:
            await engine.dispose()

    try:
        asyncio.run(go())
    except (CommandError, InviteTargetError) as exc:
        print(f"journal: {exc}", file=sys.stderr)
        return 2
    return 0


def _roles(args: argparse.Namespace, settings: Settings) -> int:
    async def work(session: AsyncSession) -> None:
        school_id = await resolve_school(session, args.school)
        if args.roles_command == "grant":
            await matrices.grant(
                session,
                school_id,
                Role(args.role),
                Permission(args.permission),
                PermissionScope(args.scope),
            )
        elif args.roles_command == "revoke":
            await matrices.revoke(session, school_id, Role(args.role), Permission(args.permission))
        elif args.roles_command == "reset":
            role = Role(args.role) if args.role else None
            permission = Permission(args.permission) if args.permission else None
            count = await matrices.reset(session, school_id, role, permission)
            print(f"{count} changed cell(s) back to the defaults")
            return
        await _print_matrix(
            session, school_id, Role(args.role) if getattr(args, "role", None) else None
        )

    return _run(settings, work)


async def _print_matrix(session: AsyncSession, school_id: int, only: Role | None) -> None:
    overrides = await matrices.overrides(session, school_id)
    effective = matrices.default_matrix() | overrides
    roles = [only] if only else list(DEFAULT_MATRIX)
    width = max(len(p.value) for p in Permission) + 2
    print("permission".ljust(width) + "".join(r.value.ljust(18) for r in roles))
    for permission in Permission:
        cells = []
        for role in roles:
            scope = effective.get((role, permission), PermissionScope.NONE).value
            mark = "*" if (role, permission) in overrides else ""
            cells.append(f"{scope}{mark}".ljust(18))
        print(permission.value.ljust(width) + "".join(cells))
    print("* changed from the regulation's default (journal roles reset undoes it)")


async def _student_id(session: AsyncSession, school_id: int, key: str) -> int:
    if key.startswith("#") and key[1:].isdigit():
        query = select(Student.id).where(Student.id == int(key[1:]))
    else:
        query = select(Student.id).where(Student.school_id == school_id, Student.external_id == key)
    found = (await session.execute(query)).scalar_one_or_none()
    if found is None:
        raise CommandError(f"there is no student with id {key}")
    return int(found)


def _audit(args: argparse.Namespace, settings: Settings) -> int:
    async def work(session: AsyncSession) -> None:
        school_id = await resolve_school(session, args.school)
        student_id = await _student_id(session, school_id, args.student)
        query = select(AuditRecord).where(AuditRecord.student_id == student_id)
        if args.since:
            query = query.where(
                AuditRecord.at
                >= datetime.combine(args.since, datetime.min.time(), settings.timezone)
            )
        records = list(
            (
                await session.execute(
                    query.order_by(AuditRecord.at.desc(), AuditRecord.id.desc()).limit(args.limit)
                )
            ).scalars()
        )[::-1]
        staff_ids = {r.actor_staff_id for r in records if r.actor_staff_id}
        names = {
            row[0]: short_name(row[1], row[2], row[3])
            for row in await session.execute(
                select(Staff.id, Staff.last_name, Staff.first_name, Staff.middle_name).where(
                    Staff.id.in_(staff_ids)
                )
            )
        }
        for record in records:
            print(_line(record, names, settings))
        if not records:
            print("no reads of this student's data recorded")

    return _run(settings, work)


def _line(record: AuditRecord, names: dict[int, str], settings: Settings) -> str:
    when = record.at.astimezone(settings.timezone).strftime("%Y-%m-%d %H:%M:%S")
    who = []
    if record.actor_staff_id:
        who.append(names.get(record.actor_staff_id, f"staff #{record.actor_staff_id}"))
    if record.actor_account_id:
        who.append(f"account #{record.actor_account_id}")
    who.append(record.actor_label or "?")
    granted = (record.details or {}).get("granted", True)
    outcome = "read" if granted else "REFUSED"
    return f"{when}  {' / '.join(who)}  {record.action}  {outcome}"
