"""`journal privacy purge [--dry-run]` and `journal privacy report --person ID [--json]`.

The purge applies the retention settings at once (the scheduler runs the same at 03:45 every
night); the report answers a family's subject access request (docs/privacy.md). Text is in
``DEFAULT_LOCALE``; ``--json`` is for a school's own tools and keeps the field names.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.command_support import CommandError, Gettext, run_in_session
from bot.settings import Settings
from core import migrate
from core.clock import SystemClock
from core.db import create_engine, create_sessionmaker
from core.i18n import N_, gettext_for
from core.linking.targets import resolve_school
from core.privacy.report import (
    AmbiguousPersonError,
    AuditLine,
    PersonNotFoundError,
    SubjectReport,
    find_person,
    subject_report,
)
from core.privacy.retention import PurgeReport, purge
from core.reader import Reader

KINDS = ("student", "guardian", "staff")

_KIND = {
    "student": N_("student"),
    "guardian": N_("guardian"),
    "staff": N_("staff member"),
}
_FIELD = {
    "last_name": N_("Last name"),
    "first_name": N_("First name"),
    "middle_name": N_("Patronymic"),
    "phone": N_("Phone"),
    "email": N_("E-mail"),
    "birth_date": N_("Date of birth"),
    "enrolled_on": N_("Enrolled on"),
    "left_on": N_("Left on"),
    "hired_on": N_("Hired on"),
    "class": N_("Class"),
    "roles": N_("Roles"),
}
_RELATION = {
    "mother": N_("mother"),
    "father": N_("father"),
    "guardian": N_("legal guardian"),
    "other": N_("other representative"),
}
_COUNT = {
    "marks": N_("marks"),
    "attendance": N_("attendance records"),
    "attestation_marks": N_("term and year marks"),
    "homework": N_("individual homework"),
    "debts": N_("academic debts"),
    "enrolments": N_("movement records"),
    "risk_cases": N_("early warning cases"),
    "lessons": N_("lessons taught"),
    "teaching_assignments": N_("teaching assignments"),
    "threads": N_("question threads"),
    "messages": N_("messages written"),
    "issued": N_("issued"),
    "used": N_("used"),
    "revoked": N_("revoked"),
    "pending": N_("pending"),
    "sending": N_("sending"),
    "sent": N_("sent"),
    "failed": N_("failed"),
    "skipped": N_("skipped"),
}


def add_commands(commands: Any) -> None:
    privacy = commands.add_parser("privacy", help="retention of personal data, access requests")
    actions = privacy.add_subparsers(dest="privacy_command", required=True, metavar="ACTION")
    purge_parser = actions.add_parser("purge", help="apply the retention settings now")
    purge_parser.add_argument("--dry-run", action="store_true", help="count, change nothing")
    purge_parser.set_defaults(handler=_purge)
    report = actions.add_parser("report", help="everything held about a person, who read it")
    report.add_argument(
        "--person", required=True, metavar="ID", help="the school's id, or #<db id> with --kind"
    )
    report.add_argument("--kind", choices=KINDS, help="when the id names several people")
    report.add_argument("--school", metavar="ID", help="the school's id (several in one DB)")
    report.add_argument("--json", action="store_true", help="machine-readable output")
    report.set_defaults(handler=_report)


def _purge(args: argparse.Namespace, settings: Settings) -> int:
    migrate.upgrade(settings.database_url)

    async def run() -> PurgeReport:
        engine = create_engine(settings.database_url)
        try:
            return await purge(
                create_sessionmaker(engine),
                settings.retention,
                SystemClock().now(),
                dry_run=args.dry_run,
                label="cli",
            )
        finally:
            await engine.dispose()

    report = asyncio.run(run())
    gettext = gettext_for(settings.default_locale)
    print(
        gettext(
            N_(
                "push texts emptied: {push}; failed link attempts deleted: {attempts}; audit "
                "records of erased accounts anonymised: {anonymised}; audit records deleted: "
                "{audit}"
            )
        ).format(
            push=report.push_texts,
            attempts=report.link_attempts,
            anonymised=report.audit_anonymised,
            audit=report.audit_purged,
        )
    )
    if report.dry_run:
        print(gettext(N_("dry run: nothing was changed")))
    return 0


def _report(args: argparse.Namespace, settings: Settings) -> int:
    async def work(session: AsyncSession, gettext: Gettext) -> None:
        school_id = await resolve_school(session, args.school)
        try:
            kind, person_id = await find_person(session, school_id, args.person, args.kind)
        except PersonNotFoundError:
            raise CommandError(
                N_("there is no student, guardian or staff member with id {key}"), key=args.person
            ) from None
        except AmbiguousPersonError as many:
            raise CommandError(
                N_("the id {key} names several people ({kinds}): give --kind"),
                key=args.person,
                kinds=", ".join(many.kinds),
            ) from None
        report = await subject_report(session, kind, person_id, Reader.operator("cli"))
        if args.json:
            print(json.dumps(as_json(report), ensure_ascii=False, default=_json, indent=2))
        else:
            print("\n".join(render(report, settings, gettext)))

    return run_in_session(settings, work)


def as_json(report: SubjectReport) -> dict[str, Any]:
    """The report as JSON objects: the (name, value) pairs become objects."""
    data = dataclasses.asdict(report)
    for key in ("fields", "invites", "journal", "threads"):
        data[key] = dict(data[key])
    for account in data["accounts"]:
        account["deliveries"] = dict(account["deliveries"])
    return data


def _json(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _when(value: datetime | None, settings: Settings) -> str:
    if value is None:
        return "—"
    return value.astimezone(settings.timezone).strftime("%Y-%m-%d %H:%M")


def _counts(pairs: tuple[tuple[str, int], ...], gettext: Gettext) -> str:
    return ", ".join(f"{gettext(_COUNT.get(key, key))}: {count}" for key, count in pairs) or "—"


def _trail_line(line: AuditLine, settings: Settings, gettext: Gettext) -> str:
    who = []
    if line.actor_staff_id:
        who.append(line.actor_name or f"staff #{line.actor_staff_id}")
    if line.actor_account_id:
        who.append(f"account #{line.actor_account_id}")
    who.append(line.actor_label or "?")
    outcome = gettext(N_("read")) if line.granted else gettext(N_("REFUSED"))
    return f"  {_when(line.at, settings)}  {' / '.join(who)}  {line.action}  {outcome}"


def render(report: SubjectReport, settings: Settings, gettext: Gettext) -> list[str]:
    """The report as the operator prints it for the family."""
    lines = [
        gettext(N_("Personal data held about {kind} {key} ({school})")).format(
            kind=gettext(_KIND[report.kind]),
            key=report.external_id or f"#{report.person_id}",
            school=report.school,
        ),
        "",
        gettext(N_("Record:")),
    ]
    lines += [f"  {gettext(_FIELD.get(name, name))}: {value}" for name, value in report.fields]
    if report.related:
        lines += ["", gettext(N_("Linked people:"))]
        for other in report.related:
            relation = (
                f" ({gettext(_RELATION.get(other.relation, other.relation))})"
                if other.relation
                else ""
            )
            lines.append(
                f"  {gettext(_KIND[other.kind])} {other.external_id or '—'}: {other.name}{relation}"
            )
    lines += ["", gettext(N_("Messenger accounts:"))]
    for account in report.accounts:
        lines.append(
            "  "
            + gettext(
                N_(
                    "#{id} {messenger} user {user}, linked {linked} by {method}, consent "
                    "{consent}, last seen {seen}"
                )
            ).format(
                id=account.id,
                messenger=account.messenger + (f" ({account.bot})" if account.bot else ""),
                user=account.user_key,
                linked=_when(account.linked_at, settings),
                method=account.method,
                consent=_when(account.consent_given_at, settings),
                seen=_when(account.last_seen_at, settings),
            )
        )
        lines.append(
            "    "
            + gettext(N_("pushes: {counts}; last sent {sent}")).format(
                counts=_counts(account.deliveries, gettext),
                sent=_when(account.last_sent_at, settings),
            )
        )
    if not report.accounts:
        lines.append("  " + gettext(N_("none")))
    lines += [
        "",
        gettext(N_("Invite codes: {counts}")).format(counts=_counts(report.invites, gettext)),
    ]
    if report.journal:
        lines.append(
            gettext(N_("In the journal: {counts}")).format(counts=_counts(report.journal, gettext))
        )
    lines.append(
        gettext(N_("Questions to the school: {counts}")).format(
            counts=_counts(report.threads, gettext)
        )
    )
    lines += ["", gettext(N_("Who read this person's data:"))]
    lines += [_trail_line(line, settings, gettext) for line in report.reads]
    if not report.reads:
        empty = (
            N_("no reads recorded")
            if report.kind == "student"
            else N_("the trail is kept per pupil (a guardian: see each child's report)")
        )
        lines.append("  " + gettext(empty))
    lines += ["", gettext(N_("What this person's accounts did:"))]
    lines += [_trail_line(line, settings, gettext) for line in report.activity]
    if not report.activity:
        lines.append("  " + gettext(N_("nothing recorded")))
    return lines
