"""The journal's mail for the operator: a staff member's threads in the terminal, and threads
with their messages as files for the school's records (``journal messages inbox|export``).

Staff who do not use the bot still get their questions, and the school keeps its
correspondence with families outside any messenger. Both are reads of students' data by the
operator, so every thread shown or exported leaves one audit record (``thread_inbox`` or
``thread_export``, one bulk insert in the caller's transaction; the caller commits).

Whatever the number of threads: one statement for the threads with every name (and, for the
inbox, the asker's running mute), one for their messages with the authors' names, one for the
files, one for the audit records. Messages and files are selected through a join with the
threads' own filter, never by a list of ids, so no statement grows with the export.

Files are rendered for people: CSV as UTF-8 with a BOM (a spreadsheet on Windows then reads
Cyrillic right), ``,`` between cells, instants as ISO 8601 in the school's time zone, rows by
id, so the same data always gives the same bytes; the HTML page is one self-contained file
with every value escaped and nothing that runs or loads.
"""

from __future__ import annotations

import csv
import html
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Row, and_, func, null, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from core.i18n import N_
from core.messaging.dto import Attachment
from core.messaging.reading import UNKNOWN, as_attachment
from core.messaging.records import audit_threads
from core.models import (
    Guardian,
    MessageAttachment,
    MessageMute,
    MessageThread,
    SchoolClass,
    Staff,
    Student,
    Subject,
    ThreadMessage,
)
from core.models.enums import AuthorKind, ThreadStatus
from core.reader import Reader

Gettext = Callable[[str], str]
AnyRow = Row[*tuple[Any, ...]]  # read by labelled column: row.child_first

THREAD_COLUMNS = (
    "id",
    "created_at",
    "last_message_at",
    "status",
    "student_id",
    "student_name",
    "class",
    "asker_kind",
    "asker_name",
    "staff_id",
    "staff_name",
    "addressed_as",
    "subject",
    "title",
    "shared_with_guardians",
    "closed_at",
    "reported_at",
)
MESSAGE_COLUMNS = (
    "thread_id",
    "message_id",
    "created_at",
    "author_kind",
    "author_name",
    "text",
    "read_at",
    "to_all_guardians",
    "attachments",
)
STATUS_WORDS = {
    ThreadStatus.OPEN: N_("open"),
    ThreadStatus.ANSWERED: N_("answered"),
    ThreadStatus.CLOSED: N_("closed"),
}


@dataclass(frozen=True, slots=True)
class MessageRecord:
    """One message as the school's record names it."""

    id: int
    thread_id: int
    created_at: datetime
    author_kind: str  # "guardian" | "student" | "staff"; "family" when the person is gone
    author: str  # a family member "Ольга Иванова", staff "Крылова Нина Петровна"
    text: str
    read_at: datetime | None  # when the other side first opened it
    to_all_guardians: bool
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True, slots=True)
class ThreadRecord:
    """One thread with every message, oldest first, and the people named as the school does."""

    id: int
    school_id: int
    student_id: int | None  # the child's db id, for the audit record
    student_key: str  # the school's id of the child ("#<db id>" without one)
    child: str  # "Анна Иванова"
    class_name: str | None
    status: ThreadStatus
    asker_kind: str  # "guardian" | "student"; "" when the asker's record is gone
    asker: str
    staff_key: str
    staff: str  # Фамилия Имя Отчество of the recipient
    addressed_as: str
    subject: str | None  # the school subject the question is about
    title: str
    shared_with_guardians: bool
    created_at: datetime
    last_message_at: datetime
    closed_at: datetime | None
    reported_at: datetime | None
    messages: tuple[MessageRecord, ...]
    muted_until: datetime | None = None  # inbox only: the asker is muted by the recipient

    @property
    def child_and_class(self) -> str:
        return f"{self.child}, {self.class_name}" if self.class_name else self.child


# --- reading ------------------------------------------------------------------------------


async def staff_inbox(
    session: AsyncSession,
    reader: Reader,
    *,
    school_id: int,
    staff_id: int,
    include_closed: bool,
    now: datetime,
) -> tuple[ThreadRecord, ...]:
    """The threads addressed to ``staff_id``, newest message first; closed ones on request.

    Each carries the end of the asker's mute by this staff member if one runs at ``now``."""
    where = [MessageThread.school_id == school_id, MessageThread.staff_id == staff_id]
    if not include_closed:
        where.append(MessageThread.status != ThreadStatus.CLOSED)
    threads = await _load(session, and_(*where), mutes_at=now)
    newest = tuple(sorted(threads, key=lambda t: (t.last_message_at, t.id), reverse=True))
    await audit_threads(
        session, reader, [(t.id, t.school_id, t.student_id) for t in newest], "thread_inbox"
    )
    return newest


async def export_threads(
    session: AsyncSession,
    reader: Reader,
    *,
    school_id: int,
    timezone: ZoneInfo,
    thread_id: int | None = None,
    since: date | None = None,
) -> tuple[ThreadRecord, ...]:
    """The school's threads by id: all, one (``thread_id``; none when it is not the school's),
    or those whose last message is on or after the school date ``since``."""
    where = [MessageThread.school_id == school_id]
    if thread_id is not None:
        where.append(MessageThread.id == thread_id)
    if since is not None:
        where.append(MessageThread.last_message_at >= datetime.combine(since, time(0), timezone))
    threads = tuple(await _load(session, and_(*where), mutes_at=None))
    await audit_threads(
        session, reader, [(t.id, t.school_id, t.student_id) for t in threads], "thread_export"
    )
    return threads


async def _load(
    session: AsyncSession, where: ColumnElement[bool], mutes_at: datetime | None
) -> list[ThreadRecord]:
    """Threads matching ``where`` by id with their messages and files: three statements."""
    heads = await _thread_rows(session, where, mutes_at)
    if not heads:
        return []
    files = await _files(session, where)
    messages: defaultdict[int, list[MessageRecord]] = defaultdict(list)
    for row in await _message_rows(session, where):
        message = _message(row, files.get(row.ThreadMessage.id, ()))
        messages[message.thread_id].append(message)
    return [_thread(row, tuple(messages[row.MessageThread.id])) for row in heads]


async def _thread_rows(
    session: AsyncSession, where: ColumnElement[bool], mutes_at: datetime | None
) -> Sequence[AnyRow]:
    """The threads with the child, class, recipient, asker and subject joined by primary key."""
    child = aliased(Student)
    asking_student = aliased(Student)
    result = await session.execute(
        select(
            MessageThread,
            child.external_id.label("student_key"),
            child.first_name.label("child_first"),
            child.last_name.label("child_last"),
            SchoolClass.name.label("class_name"),
            Staff.external_id.label("staff_key"),
            Staff.last_name.label("staff_last"),
            Staff.first_name.label("staff_first"),
            Staff.middle_name.label("staff_middle"),
            Guardian.first_name.label("guardian_first"),
            Guardian.last_name.label("guardian_last"),
            asking_student.first_name.label("student_first"),
            asking_student.last_name.label("student_last"),
            Subject.name.label("subject_name"),
            _running_mute(mutes_at).label("muted_until"),
        )
        .outerjoin(child, child.id == MessageThread.student_id)
        .outerjoin(SchoolClass, SchoolClass.id == child.class_id)
        .outerjoin(Staff, Staff.id == MessageThread.staff_id)
        .outerjoin(Guardian, Guardian.id == MessageThread.asker_guardian_id)
        .outerjoin(asking_student, asking_student.id == MessageThread.asker_student_id)
        .outerjoin(Subject, Subject.id == MessageThread.subject_id)
        .where(where)
        .order_by(MessageThread.id)
    )
    return result.all()


def _running_mute(at: datetime | None) -> ColumnElement[Any]:
    """The latest end of a mute of the thread's asker by its recipient running ``at``: a
    correlated subquery on ``(staff_id, until)``, so the inbox needs no statement of its own."""
    if at is None:
        return null()
    return (
        select(func.max(MessageMute.until))
        .where(
            MessageMute.staff_id == MessageThread.staff_id,
            or_(
                MessageMute.guardian_id == MessageThread.asker_guardian_id,
                MessageMute.student_id == MessageThread.asker_student_id,
            ),
            MessageMute.until > at,
        )
        .correlate(MessageThread)
        .scalar_subquery()
    )


async def _message_rows(session: AsyncSession, where: ColumnElement[bool]) -> Sequence[AnyRow]:
    """Every message of the threads, oldest first per thread, with its author's name."""
    result = await session.execute(
        select(
            ThreadMessage,
            Guardian.first_name.label("guardian_first"),
            Guardian.last_name.label("guardian_last"),
            Student.first_name.label("student_first"),
            Student.last_name.label("student_last"),
            Staff.last_name.label("staff_last"),
            Staff.first_name.label("staff_first"),
            Staff.middle_name.label("staff_middle"),
        )
        .join(MessageThread, MessageThread.id == ThreadMessage.thread_id)
        .outerjoin(Guardian, Guardian.id == ThreadMessage.author_guardian_id)
        .outerjoin(Student, Student.id == ThreadMessage.author_student_id)
        .outerjoin(Staff, Staff.id == ThreadMessage.author_staff_id)
        .where(where)
        .order_by(ThreadMessage.thread_id, ThreadMessage.created_at, ThreadMessage.id)
    )
    return result.all()


async def _files(
    session: AsyncSession, where: ColumnElement[bool]
) -> dict[int, tuple[Attachment, ...]]:
    """The files of the threads' messages by message id, in the order they were sent."""
    rows = await session.execute(
        select(MessageAttachment)
        .join(ThreadMessage, ThreadMessage.id == MessageAttachment.message_id)
        .join(MessageThread, MessageThread.id == ThreadMessage.thread_id)
        .where(where)
        .order_by(MessageAttachment.message_id, MessageAttachment.position, MessageAttachment.id)
    )
    found: defaultdict[int, list[Attachment]] = defaultdict(list)
    for row in rows.scalars():
        found[row.message_id or 0].append(as_attachment(row))
    return {key: tuple(value) for key, value in found.items()}


def _family_name(first: str | None, last: str | None) -> str | None:
    return f"{first} {last}" if first is not None and last is not None else None


def _staff_name(row: AnyRow) -> str | None:
    """Фамилия Имя Отчество: the record names staff in full (the bot's short form is for chat)."""
    if row.staff_last is None:
        return None
    return " ".join(part for part in (row.staff_last, row.staff_first, row.staff_middle) if part)


def _person_key(external_id: str | None, db_id: int | None) -> str:
    if db_id is None:
        return ""
    return external_id or f"#{db_id}"


def _thread(row: AnyRow, messages: tuple[MessageRecord, ...]) -> ThreadRecord:
    thread: MessageThread = row.MessageThread
    if thread.asker_guardian_id is not None:
        asker_kind, asker = "guardian", _family_name(row.guardian_first, row.guardian_last)
    elif thread.asker_student_id is not None:
        asker_kind, asker = "student", _family_name(row.student_first, row.student_last)
    else:
        asker_kind, asker = "", None
    return ThreadRecord(
        id=thread.id,
        school_id=thread.school_id,
        student_id=thread.student_id,
        student_key=_person_key(row.student_key, thread.student_id),
        child=_family_name(row.child_first, row.child_last) or UNKNOWN,
        class_name=row.class_name,
        status=ThreadStatus(thread.status),
        asker_kind=asker_kind,
        asker=asker or UNKNOWN,
        staff_key=_person_key(row.staff_key, thread.staff_id),
        staff=_staff_name(row) or UNKNOWN,
        addressed_as=thread.addressed_as,
        subject=row.subject_name,
        title=thread.subject,
        shared_with_guardians=thread.shared_with_guardians,
        created_at=thread.created_at,
        last_message_at=thread.last_message_at,
        closed_at=thread.closed_at,
        reported_at=thread.reported_at,
        messages=messages,
        muted_until=row.muted_until,
    )


def _message(row: AnyRow, files: tuple[Attachment, ...]) -> MessageRecord:
    message: ThreadMessage = row.ThreadMessage
    if message.author_kind == AuthorKind.STAFF:
        kind, author = "staff", _staff_name(row)
    elif message.author_guardian_id is not None:
        kind, author = "guardian", _family_name(row.guardian_first, row.guardian_last)
    elif message.author_student_id is not None:
        kind, author = "student", _family_name(row.student_first, row.student_last)
    else:
        kind, author = AuthorKind.FAMILY.value, None
    return MessageRecord(
        id=message.id,
        thread_id=message.thread_id,
        created_at=message.created_at,
        author_kind=kind,
        author=author or UNKNOWN,
        text=message.text,
        read_at=message.read_at,
        to_all_guardians=message.to_all_guardians,
        attachments=files,
    )


# --- rendering ----------------------------------------------------------------------------


def message_count(threads: Iterable[ThreadRecord]) -> int:
    return sum(len(thread.messages) for thread in threads)


def _shown(at: datetime, timezone: ZoneInfo) -> str:
    """An instant for a person: the school's wall clock, to the minute."""
    return f"{at.astimezone(timezone):%Y-%m-%d %H:%M}"


def _iso(at: datetime | None, timezone: ZoneInfo) -> str:
    """An instant for a file: ISO 8601 with the school's offset, to the second."""
    return "" if at is None else at.astimezone(timezone).isoformat(timespec="seconds")


def _file_name(attachment: Attachment) -> str:
    """A photo has no name of its own: it is called by its kind."""
    return attachment.file_name or attachment.kind.value


def _file_cell(attachment: Attachment) -> str:
    name = attachment.file_name or UNKNOWN
    if attachment.size is None:
        return f"{name} ({attachment.kind.value})"
    return f"{name} ({attachment.kind.value}, {attachment.size} bytes)"


def _facts(thread: ThreadRecord, timezone: ZoneInfo, _: Gettext) -> list[str]:
    """The lines under a thread's heading, shared by the terminal and the HTML page."""
    facts = [
        _(N_("from: {asker}")).format(asker=thread.asker),
        _(N_("to: {staff}")).format(staff=thread.staff),
    ]
    if thread.subject:
        facts.append(_(N_("subject: {subject}")).format(subject=thread.subject))
    facts.append(
        _(N_("created {created}, last message {last}")).format(
            created=_shown(thread.created_at, timezone),
            last=_shown(thread.last_message_at, timezone),
        )
    )
    if thread.closed_at is not None:
        facts.append(_(N_("closed {at}")).format(at=_shown(thread.closed_at, timezone)))
    if thread.reported_at is not None:
        facts.append(
            _(N_("reported to the administration {at}")).format(
                at=_shown(thread.reported_at, timezone)
            )
        )
    if thread.shared_with_guardians:
        facts.append(_(N_("answers shared with all guardians")))
    if thread.muted_until is not None:
        facts.append(
            _(N_("the asker is muted until {until}")).format(
                until=_shown(thread.muted_until, timezone)
            )
        )
    return facts


def _heading(thread: ThreadRecord, _: Gettext) -> str:
    return f"#{thread.id}  {_(STATUS_WORDS[thread.status])}  {thread.child_and_class}"


def _message_heading(message: MessageRecord, timezone: ZoneInfo, _: Gettext) -> str:
    """Time and author; a family message says whether the staff member has read it."""
    parts = [_shown(message.created_at, timezone), message.author]
    if message.author_kind != "staff":
        parts.append(_(N_("read")) if message.read_at is not None else _(N_("unread")))
    elif message.to_all_guardians:
        parts.append(_(N_("to all guardians")))
    return "  ".join(parts)


def _files_line(message: MessageRecord, _: Gettext) -> str | None:
    if not message.attachments:
        return None
    names = ", ".join(_file_name(a) for a in message.attachments)
    return _(N_("files: {names}")).format(names=names)


def inbox_text(threads: Sequence[ThreadRecord], timezone: ZoneInfo, _: Gettext) -> str:
    """Plain text for a terminal: a heading per thread, its facts, its messages indented."""
    if not threads:
        return _(N_("no threads")) + "\n"
    blocks = []
    for thread in threads:
        lines = [_heading(thread, _), *(f"  {fact}" for fact in _facts(thread, timezone, _))]
        for message in thread.messages:
            lines.append(f"  {_message_heading(message, timezone, _)}")
            lines += [f"    {line}" for line in message.text.splitlines()]
            files = _files_line(message, _)
            if files:
                lines.append(f"    {files}")
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    """A spreadsheet runs a cell that starts like a formula (``=HYPERLINK(...)``): what a family
    typed must stay text, so such a cell gets a leading apostrophe (OWASP's CSV advice)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _flag(value: bool) -> str:
    return "true" if value else "false"


def thread_rows(threads: Iterable[ThreadRecord], timezone: ZoneInfo) -> list[tuple[str, ...]]:
    """``threads.csv`` below its header (``THREAD_COLUMNS``), one row per thread."""
    return [
        (
            str(t.id),
            _iso(t.created_at, timezone),
            _iso(t.last_message_at, timezone),
            t.status.value,
            t.student_key,
            t.child,
            t.class_name or "",
            t.asker_kind,
            t.asker,
            t.staff_key,
            t.staff,
            t.addressed_as,
            t.subject or "",
            t.title,
            _flag(t.shared_with_guardians),
            _iso(t.closed_at, timezone),
            _iso(t.reported_at, timezone),
        )
        for t in threads
    ]


def message_rows(threads: Iterable[ThreadRecord], timezone: ZoneInfo) -> list[tuple[str, ...]]:
    """``messages.csv`` below its header (``MESSAGE_COLUMNS``), threads by id, oldest first."""
    return [
        (
            str(m.thread_id),
            str(m.id),
            _iso(m.created_at, timezone),
            m.author_kind,
            m.author,
            m.text,
            _iso(m.read_at, timezone),
            _flag(m.to_all_guardians),
            "; ".join(_file_cell(a) for a in m.attachments),
        )
        for t in threads
        for m in t.messages
    ]


def render_csv(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A BOM, the header and the rows; ``\\r\\n`` after each row as spreadsheets write it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=",", lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return "\ufeff" + buffer.getvalue()


_STYLE = """
body { font-family: sans-serif; margin: 1.5em; max-width: 60em; }
section { border-top: 1px solid #999; margin-top: 1.5em; page-break-inside: avoid; }
h2 { font-size: 1.1em; white-space: pre-wrap; }
.fact { margin: 0.1em 0; color: #444; }
.message { margin: 0.8em 0 0.8em 1em; padding-left: 0.6em; border-left: 3px solid #ccc; }
.staff { border-left-color: #69c; }
.meta { font-size: 0.9em; color: #555; margin: 0; white-space: pre-wrap; }
.text { white-space: pre-wrap; margin: 0.3em 0; }
"""
# Even a value that slipped through escaping could neither run nor load anything.
_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


def _e(value: str) -> str:
    return html.escape(value, quote=True)


def _html_message(message: MessageRecord, timezone: ZoneInfo, _: Gettext) -> str:
    side = "staff" if message.author_kind == "staff" else "family"
    parts = [
        f'<div class="message {side}" id="message-{message.id}">',
        f'<p class="meta">{_e(_message_heading(message, timezone, _))}</p>',
        f'<p class="text">{_e(message.text)}</p>',
    ]
    files = _files_line(message, _)
    if files:
        parts.append(f'<p class="meta">{_e(files)}</p>')
    parts.append("</div>")
    return "\n".join(parts)


def _html_thread(thread: ThreadRecord, timezone: ZoneInfo, _: Gettext) -> str:
    parts = [f'<section id="thread-{thread.id}">', f"<h2>{_e(_heading(thread, _))}</h2>"]
    parts += [f'<p class="fact">{_e(fact)}</p>' for fact in _facts(thread, timezone, _)]
    parts += [_html_message(message, timezone, _) for message in thread.messages]
    parts.append("</section>")
    return "\n".join(parts)


def render_html(threads: Sequence[ThreadRecord], timezone: ZoneInfo, _: Gettext) -> str:
    """One readable page: a section per thread with its messages; no script, no link out."""
    title = _e(_(N_("Questions from families and their answers")))
    body = "\n".join(_html_thread(thread, timezone, _) for thread in threads)
    if not threads:
        body = f"<p>{_e(_(N_('no threads')))}</p>"
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_e(_POLICY)}">\n'
        f"<title>{title}</title>\n<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n<h1>{title}</h1>\n{body}\n</body>\n</html>\n"
    )


def export_files(threads: Sequence[ThreadRecord], timezone: ZoneInfo, _: Gettext) -> dict[str, str]:
    """File name → text of every file of an export, in the order they are written."""
    return {
        "threads.csv": render_csv(THREAD_COLUMNS, thread_rows(threads, timezone)),
        "messages.csv": render_csv(MESSAGE_COLUMNS, message_rows(threads, timezone)),
        "threads.html": render_html(threads, timezone, _),
    }
