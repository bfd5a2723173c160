"""`journal roles show|grant|revoke|reset` and `journal audit --student ID`.

Operator-facing messages are N_-marked and shown in ``DEFAULT_LOCALE``; the matrix itself is
printed with the identifiers the commands take (``teacher``, ``marks``, ``taught``), so what an
operator reads can be typed back.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.command_support import CommandError, Gettext, person_id, refuse, run_in_session
from bot.exchange_commands import date_argument
from bot.settings import Settings
from core.access import matrix as matrices
from core.access.permissions import DEFAULT_MATRIX, Permission
from core.i18n import N_
from core.linking.targets import resolve_school
from core.models import AuditRecord, Staff, Student
from core.models.enums import PermissionScope, Role
from core.services.naming import short_name

E = TypeVar("E", bound=StrEnum)


def _names(members: type[StrEnum]) -> str:
    return ", ".join(m.value for m in members)


def add_commands(commands: Any) -> None:
    roles = commands.add_parser("roles", help="show or change the role permission matrix")
    actions = roles.add_subparsers(dest="roles_command", required=True, metavar="ACTION")
    show = actions.add_parser("show", help="the matrix: permission × role → scope")
    show.add_argument("--role", help=_names(Role))
    grant = actions.add_parser("grant", help="set the scope of one role's permission")
    revoke = actions.add_parser("revoke", help="take one permission from a role (scope none)")
    reset = actions.add_parser("reset", help="back to the regulation's defaults")
    for parser in (grant, revoke):
        parser.add_argument("role", help=_names(Role))
        parser.add_argument("permission", help=_names(Permission))
    grant.add_argument("scope", help=_names(PermissionScope))
    reset.add_argument("role", nargs="?", help=_names(Role))
    reset.add_argument("permission", nargs="?", help=_names(Permission))
    for parser in (show, grant, revoke, reset):
        parser.add_argument("--school", metavar="ID", help="the school's id (several in one DB)")
    roles.set_defaults(handler=_roles)

    audit = commands.add_parser("audit", help="who read a student's data, what and when")
    audit.add_argument(
        "--student", required=True, metavar="ID", help="the school's id, or #<db id>"
    )
    audit.add_argument("--since", type=date_argument, help="from this date on (school time)")
    audit.add_argument("--limit", type=int, default=200, help="the newest N, printed oldest first")
    audit.add_argument("--school", metavar="ID", help="the school's id (several in one DB)")
    audit.set_defaults(handler=_audit)


# Argparse's own `choices` error is a usage block; a wrong word deserves one line naming the
# words that would do.
_UNKNOWN = {
    Role: N_("unknown role {value!r}: one of {choices}"),
    Permission: N_("unknown permission {value!r}: one of {choices}"),
    PermissionScope: N_("unknown scope {value!r}: one of {choices}"),
}


def _parse(kind: type[E], value: str) -> E:
    try:
        return kind(value.strip().lower())
    except ValueError:
        raise CommandError(_UNKNOWN[kind], value=value, choices=_names(kind)) from None


def _optional(kind: type[E], value: str | None) -> E | None:
    return None if value is None else _parse(kind, value)


def _roles(args: argparse.Namespace, settings: Settings) -> int:
    try:  # every word is checked before the database is touched
        role = _optional(Role, args.role)
        permission = _optional(Permission, getattr(args, "permission", None))
        scope = _optional(PermissionScope, getattr(args, "scope", None))
    except CommandError as bad:
        return refuse(settings, bad)

    async def work(session: AsyncSession, gettext: Gettext) -> None:
        school_id = await resolve_school(session, args.school)
        if args.roles_command == "reset":
            count = await matrices.reset(session, school_id, role, permission)
            print(
                gettext(N_("cells back to the regulation's defaults: {count}")).format(count=count)
            )
            return
        if role is not None and permission is not None:
            if args.roles_command == "grant" and scope is not None:
                await matrices.grant(session, school_id, role, permission, scope)
            elif args.roles_command == "revoke":
                await matrices.revoke(session, school_id, role, permission)
        await _print_matrix(
            session, school_id, role if args.roles_command == "show" else None, gettext
        )

    return run_in_session(settings, work)


async def _print_matrix(
    session: AsyncSession, school_id: int, only: Role | None, gettext: Gettext
) -> None:
    overrides = await matrices.overrides(session, school_id)
    effective = matrices.default_matrix() | overrides
    roles = [only] if only else list(DEFAULT_MATRIX)
    first = max(len(p.value) for p in Permission) + 2
    widths = [max(len(r.value), len("assigned*")) + 2 for r in roles]
    print(
        "permission".ljust(first)
        + "".join(r.value.ljust(w) for r, w in zip(roles, widths, strict=True))
    )
    for permission in Permission:
        cells = []
        for role, width in zip(roles, widths, strict=True):
            scope = effective.get((role, permission), PermissionScope.NONE).value
            mark = "*" if (role, permission) in overrides else ""
            cells.append(f"{scope}{mark}".ljust(width))
        print((permission.value.ljust(first) + "".join(cells)).rstrip())
    print(gettext(N_("* changed from the regulation's default (journal roles reset undoes it)")))


async def _student_id(session: AsyncSession, school_id: int, key: str) -> int:
    return await person_id(
        session, Student, school_id, key, N_("there is no student with id {key}")
    )


def _audit(args: argparse.Namespace, settings: Settings) -> int:
    if args.limit < 1:
        return refuse(settings, CommandError(N_("--limit must be 1 or more")))

    async def work(session: AsyncSession, gettext: Gettext) -> None:
        school_id = await resolve_school(session, args.school)
        student_id = await _student_id(session, school_id, args.student)
        query = select(AuditRecord).where(AuditRecord.student_id == student_id)
        if args.since:
            midnight = datetime.combine(args.since, datetime.min.time(), settings.timezone)
            query = query.where(AuditRecord.at >= midnight)
        newest = query.order_by(AuditRecord.at.desc(), AuditRecord.id.desc()).limit(args.limit)
        records = list((await session.scalars(newest)).all())[::-1]
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
            print(_line(record, names, settings, gettext))
        if not records:
            print(gettext(N_("no reads of this student's data recorded")))

    return run_in_session(settings, work)


def _line(record: AuditRecord, names: dict[int, str], settings: Settings, gettext: Gettext) -> str:
    when = record.at.astimezone(settings.timezone).strftime("%Y-%m-%d %H:%M:%S")
    who = []
    if record.actor_staff_id:
        who.append(names.get(record.actor_staff_id, f"staff #{record.actor_staff_id}"))
    if record.actor_account_id:
        who.append(f"account #{record.actor_account_id}")
    who.append(record.actor_label or "?")
    details = record.details or {}
    what = record.action
    if details.get("permission"):
        what += f" ({details['permission']})"
    # Records written before refusals were audited carry no "granted": they were reads.
    outcome = gettext(N_("read")) if details.get("granted", True) else gettext(N_("REFUSED"))
    return f"{when}  {' / '.join(who)}  {what}  {outcome}"
