"""`journal staff hours ID [SPEC]`: show or set a staff member's office hours.

Questions sent outside office hours wait for the next opening (``core.messaging.hours``). The
hours are printed in ``DEFAULT_LOCALE``'s canonical words (``T1: пн-пт 08:00-18:00``), which
the command takes back as a SPEC; a wrong id or spec is one line on stderr, exit code 2.
"""

from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.command_support import CommandError, Gettext, person_id, refuse, run_in_session
from bot.settings import Settings
from core.i18n import N_, gettext_for
from core.linking.targets import resolve_school
from core.messaging.hours import BadHours, format_hours, hours_of, parse_hours, set_hours
from core.models import Staff


def add_commands(commands: Any) -> None:
    staff = commands.add_parser("staff", help="staff members' settings")
    actions = staff.add_subparsers(dest="staff_command", required=True, metavar="ACTION")
    hours = actions.add_parser(
        "hours", help="show or set when a staff member takes questions from families"
    )
    hours.add_argument("staff", metavar="ID", help="the school's id, or #<db id>")
    hours.add_argument(
        "spec",
        nargs="*",
        metavar="SPEC",
        help="'пн-пт 08:00-18:00; сб 09:00-12:00', 'mon-fri 08:00-18:00', always, default",
    )
    hours.add_argument("--school", metavar="ID", help="the school's id (several in one DB)")
    hours.set_defaults(handler=_hours)


def _hours(args: argparse.Namespace, settings: Settings) -> int:
    spec = " ".join(args.spec)
    if spec:
        try:  # the spec is checked before the database is touched
            parse_hours(spec)
        except BadHours as bad:
            reason = gettext_for(settings.default_locale)(bad.message).format(**bad.params)
            return refuse(
                settings,
                CommandError(N_("bad office hours {spec!r}: {reason}"), spec=spec, reason=reason),
            )

    async def work(session: AsyncSession, _gettext: Gettext) -> None:
        school_id = await resolve_school(session, args.school)
        staff_id = await person_id(
            session, Staff, school_id, args.staff, N_("there is no staff member with id {key}")
        )
        if spec:
            hours = await set_hours(session, staff_id, spec, by="cli")
        else:
            hours = (await hours_of(session, (staff_id,)))[staff_id]
        print(f"{args.staff}: {format_hours(hours, settings.default_locale)}")

    return run_in_session(settings, work)
