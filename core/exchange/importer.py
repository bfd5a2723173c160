"""`journal import`: all-or-nothing upsert of exchange tables, with family-facing events.

Tables are processed in dependency order inside one transaction. Each table's rows are parsed and
their references resolved (against the database and the rows of this import); while no problem has
been found they are written at once, so later tables can refer to the new ids. After the first
problem the rest is only checked, so one run reports every problem, and the transaction is rolled
back: a bad import changes nothing.

The big tables (marks, lessons, attendance…, see STREAMED) stream: their rows are read, parsed,
compared with the database's rows of the same keys and written CHUNK at a time, and each chunk's
rows and events are dropped once written, so memory does not grow with the file. What stays for
the whole import is the keys of the tables others refer to and, per table, each key's first line
(a key twice is an error naming both lines)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.exchange import collections as extras
from core.exchange import plans
from core.exchange.bulk import insert_rows
from core.exchange.files import SourceTable
from core.exchange.mapping import MAPPINGS, Mapping
from core.exchange.parsing import Row, parse_chunks
from core.exchange.problems import ImportFailed, Problem, Severity, located, problem
from core.exchange.refs import Registry
from core.exchange.rules import RuleError, bell_problems, check_school_ranges, derive
from core.exchange.spec import ORDER, TABLES_BY_NAME, Kind
from core.exchange.values import BadValue
from core.i18n import N_
from core.models import AcademicYear, GroupMember, OutboxEvent, School, Term
from core.outbox import Outbox, notify_listeners


@dataclass(frozen=True, slots=True)
class TableCounts:
    added: int = 0
    changed: int = 0
    deleted: int = 0
    unchanged: int = 0

    @property
    def total_changes(self) -> int:
        return self.added + self.changed + self.deleted


@dataclass(frozen=True, slots=True)
class ImportReport:
    counts: tuple[tuple[str, TableCounts], ...]
    warnings: tuple[Problem, ...]
    events: int
    silent_events: int
    dry_run: bool

    @property
    def changes(self) -> int:
        return sum(c.total_changes for _, c in self.counts)


@dataclass
class _Counter:
    added: int = 0
    changed: int = 0
    deleted: int = 0
    unchanged: int = 0

    def freeze(self) -> TableCounts:
        return TableCounts(self.added, self.changed, self.deleted, self.unchanged)


@dataclass
class _Context:
    session: AsyncSession
    school_id: int
    now: datetime
    today: date
    outbox: Outbox
    registry: Registry = field(default_factory=Registry)
    problems: list[Problem] = field(default_factory=list)
    defaults: dict[str, Any] = field(default_factory=dict)

    @property
    def writing(self) -> bool:
        return not any(p.severity is Severity.ERROR for p in self.problems)


async def run_import(
    session: AsyncSession,
    sources: Sequence[SourceTable],
    *,
    now: datetime,
    today: date,
    silent_before: date | None = None,
    dry_run: bool = False,
    source_problems: Sequence[Problem] = (),
) -> ImportReport:
    """Import ``sources`` in one transaction; raises ImportFailed with every problem found.

    Events about days before ``silent_before`` (default: ``today``) are recorded silently.
    """
    problems = list(source_problems)
    by_table: dict[str, list[SourceTable]] = defaultdict(list)
    for source in sources:
        by_table[source.table.name].append(source)
    try:
        school_id = await _school(session, by_table.pop("school", []), problems)
        outbox = Outbox(school_id or 0, now, silent_before or today)
        context = _Context(session, school_id or 0, now, today, outbox, problems=problems)
        counts: list[tuple[str, TableCounts]] = []
        if school_id is not None:
            for name in _needed_tables(by_table):
                counter = await _import_table(context, name, by_table.get(name, []))
                if name in by_table:
                    counts.append((name, counter.freeze()))
        errors = [p for p in problems if p.severity is Severity.ERROR]
        if errors:
            raise ImportFailed(problems)
        await _flush_events(context)
        if outbox.loud:
            await notify_listeners(session)  # PostgreSQL wakes the notifiers at commit
        report = ImportReport(
            tuple(counts),
            tuple(problems),
            events=outbox.loud,
            silent_events=outbox.silent,
            dry_run=dry_run,
        )
    except BaseException:
        await session.rollback()
        raise
    if dry_run:
        await session.rollback()
    else:
        await session.commit()
    return report


def _needed_tables(by_table: dict[str, list[SourceTable]]) -> list[str]:
    """The imported tables and those they refer to, in dependency order."""
    needed = set(by_table)
    for name in list(by_table):
        needed |= {c.ref for c in TABLES_BY_NAME[name].columns if c.ref}
    needed.add("years")  # defaults (the current year) for classes, timetable and attestation
    return [name for name in ORDER if name in needed and name != "school"]


async def _school(
    session: AsyncSession, sources: list[SourceTable], problems: list[Problem]
) -> int | None:
    from core.exchange.parsing import parse_rows as parse

    rows = parse(TABLES_BY_NAME["school"], sources, Registry(), problems)
    for row in rows:
        attrs = {
            MAPPINGS["school"].fields[c]: v
            for c, v in row.values.items()
            if c in MAPPINGS["school"].fields and v is not None
        }
        try:
            check_school_ranges(attrs)
        except RuleError as bad:
            problems.append(located(row.source, row.line, bad.column, bad.message, bad.params))
            return None
        school = (
            await session.execute(select(School).where(School.external_id == row.key))
        ).scalar_one_or_none()
        if school is None:
            attrs.setdefault("short_name", str(attrs.get("name", ""))[:64])
            school = School(external_id=row.key, **attrs)
            session.add(school)
        else:
            for attribute, value in attrs.items():
                setattr(school, attribute, value)
        await session.flush()
        return school.id
    ids = (await session.execute(select(School.id).order_by(School.id))).scalars().all()
    if len(ids) == 1:
        return ids[0]
    source = sources[0].source if sources else "school"
    message = (
        N_("the database has no school yet: import a school table first")
        if not ids
        else N_("the database has several schools: import the school table to say which")
    )
    problems.append(problem(source, None, None, message))
    return None


# Tables streamed in chunks: each chunk is parsed, compared with the rows the database has for
# its keys (one query per chunk) and written, then dropped, so memory does not grow with them.
# The other tables are small and read whole (bells and the plan are checked as a whole).
STREAMED = frozenset({"lessons", "homework", "marks", "attendance", "attestation"})
# Rows per chunk of a streamed table, and per INSERT or COPY (see _write).
CHUNK = 5000
# Tables other tables refer to: their keys (and ids) stay registered for the whole import.
REFERENCED = frozenset(c.ref for t in TABLES_BY_NAME.values() for c in t.columns if c.ref)


async def _existing(
    context: _Context, name: str, mapping: Mapping, keys: Sequence[str] | None = None
) -> dict[str, dict[str, Any]]:
    """The rows the database has for ``name`` (only those of ``keys`` if given), by key."""
    table = mapping.model.__table__
    if mapping.model is GroupMember:
        from core.models import Group

        query = (
            select(table)
            .join(Group, Group.id == table.c.group_id)
            .where(Group.school_id == context.school_id)
        )
        groups = context.registry.reverse("groups")
        students = context.registry.reverse("students")
        rows = (await context.session.execute(query)).mappings().all()
        return {f"{groups[r['group_id']]}|{students[r['student_id']]}": dict(r) for r in rows}
    query = select(table).where(table.c.school_id == context.school_id)
    if keys is not None:
        query = query.where(table.c.external_id.in_(keys))
    rows = (await context.session.execute(query)).mappings().all()
    return {r["external_id"]: dict(r) for r in rows if r["external_id"] is not None}


async def _register_ids(context: _Context, name: str, mapping: Mapping) -> None:
    """Register every key and id the database has for a streamed table others refer to."""
    model: Any = mapping.model
    query = select(model.id, model.external_id).where(
        model.school_id == context.school_id, model.external_id.is_not(None)
    )
    ids = context.registry.ids.setdefault(name, {})
    for row_id, key in await context.session.execute(query):
        ids[key] = row_id


async def _import_table(context: _Context, name: str, sources: list[SourceTable]) -> _Counter:
    mapping = MAPPINGS[name]
    spec = TABLES_BY_NAME[name]
    counter = _Counter()
    streamed = name in STREAMED
    had_rows = True
    if streamed:
        if name in REFERENCED:
            await _register_ids(context, name, mapping)
        if not sources:
            return counter
        existing: dict[str, dict[str, Any]] = {}
        # A table that had no rows for the school needs no lookups: this import's own rows
        # cannot come back (a key twice is an error), so every row of the file is new.
        model: Any = mapping.model
        had_rows = (
            await context.session.execute(
                select(model.id).where(model.school_id == context.school_id).limit(1)
            )
        ).first() is not None
    else:
        existing = await _existing(context, name, mapping)
        for key, row in existing.items():
            context.registry.add(name, key, row["id"], _name_values(name, row))
        if not sources:
            return counter
    checking = context.writing  # the references of this table's rows are all written
    collections = extras.Collections(
        context.session, context.school_id, context.registry, context.outbox, context.now
    )
    if checking:
        await collections.load(name, existing)
    size = CHUNK if streamed else 1 << 62
    defaults_read = False
    for rows in parse_chunks(spec, sources, context.registry, context.problems, size):
        if name == "bells":
            context.problems.extend(bell_problems(rows, existing))
        stored_plans: dict[int, plans.StoredPlan] = {}
        if name == "plan":
            stored_plans = await plans.stored_plans(context.session, context.school_id)
            context.problems.extend(
                plans.plan_problems(rows, existing, stored_plans, context.registry)
            )
        if streamed and checking and had_rows:
            existing = await _existing(context, name, mapping, [row.key for row in rows])
            ids = context.registry.ids.setdefault(name, {})
            for key, row in existing.items():
                ids[key] = row["id"]
        for parsed in rows:
            if parsed.key not in context.registry.ids.get(name, {}):
                context.registry.add(name, parsed.key, None, parsed.values)
        # A small table is written only while no problem is known; a streamed one's later chunks
        # are still compared (checked) after a problem in an earlier one, to report them all.
        if context.writing or (streamed and checking):
            if name in {"classes", "timetable", "attestation"} and not defaults_read:
                await _year_defaults(context)
                defaults_read = True
            if name == "plan":
                made = await plans.make_plans(
                    context.session, context.school_id, rows, stored_plans, context.registry
                )
                context.defaults["plans"], context.defaults["plans_changed"] = made
            await _write(context, name, mapping, rows, existing, counter, collections)
            if context.writing:
                await _flush_events(context)
        if name not in REFERENCED:
            context.registry.ids.pop(name, None)  # nothing refers to these keys: free them
    return counter


async def _flush_events(context: _Context) -> None:
    """Insert the events recorded so far (a chunk's) by COPY or Core's executemany: the ORM's
    bulk insert in ``Outbox.flush`` costs several times more per row. The NOTIFY waits for the
    end of the import."""
    events = context.outbox.take()
    if events:
        await insert_rows(context.session, cast(Table, OutboxEvent.__table__), events)


def _name_values(name: str, row: dict[str, Any]) -> dict[str, object]:
    return {k: row.get(k) for k in ("name", "last_name", "first_name", "middle_name")}


async def _year_defaults(context: _Context) -> None:
    years = (
        await context.session.execute(
            select(AcademicYear.id, AcademicYear.starts_on, AcademicYear.ends_on)
            .where(AcademicYear.school_id == context.school_id)
            .order_by(AcademicYear.starts_on)
        )
    ).all()
    current = next((y for y in years if y.starts_on <= context.today <= y.ends_on), None)
    chosen = current or (years[-1] if years else None)
    if chosen is not None:
        context.defaults["year_id"] = chosen.id
        context.defaults["year_start"] = chosen.starts_on
    terms = (
        await context.session.execute(
            select(Term.id, Term.academic_year_id, Term.ends_on).where(
                Term.school_id == context.school_id
            )
        )
    ).all()
    context.defaults["term_year"] = {t.id: t.academic_year_id for t in terms}
    context.defaults["term_end"] = {t.id: t.ends_on for t in terms}
    context.defaults["year_end"] = {y.id: y.ends_on for y in years}


def _attrs(context: _Context, name: str, mapping: Mapping, row: Row) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    ids = context.registry.ids
    for column, attribute, ref in _fields(name, mapping):
        if column not in row.present and not (column == "kind" and "kind" in row.values):
            continue
        value = row.values.get(column)
        if ref is not None and value is not None:
            row_id = ids[ref][value]
            if row_id is None:
                raise LookupError(f"{ref} {value} is not written yet")
            value = row_id
        attrs[attribute] = value
    return attrs


_FIELDS: dict[str, list[tuple[str, str, str | None]]] = {}


def _fields(name: str, mapping: Mapping) -> list[tuple[str, str, str | None]]:
    """A table's (column, attribute, the table a REF column refers to), once per table."""
    fields = _FIELDS.get(name)
    if fields is None:
        spec = TABLES_BY_NAME[name]
        fields = _FIELDS[name] = [
            (
                column,
                attribute,
                spec.column(column).ref if spec.column(column).kind is Kind.REF else None,
            )
            for column, attribute in mapping.fields.items()
        ]
    return fields


async def _write(
    context: _Context,
    name: str,
    mapping: Mapping,
    rows: list[Row],
    existing: dict[str, dict[str, Any]],
    counter: _Counter,
    collections: extras.Collections,
) -> None:
    """Compare ``rows`` (one chunk) with ``existing`` and write the difference while no
    problem has been found; after one, only check the rows."""
    model = mapping.model
    has_key = hasattr(model, "external_id")
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    removals: list[dict[str, Any]] = []
    changed_rows: list[tuple[Row, dict[str, Any] | None, dict[str, Any]]] = []
    for row in rows:
        old = existing.get(row.key)
        if row.deleted:
            if old is None or (mapping.soft_delete and old.get("deleted_at") is not None):
                counter.unchanged += 1
            else:
                removals.append(old)
                counter.deleted += 1
            continue
        try:
            attrs = _attrs(context, name, mapping, row)
            derive(name, attrs, row.values, old is None, context.defaults)
        except (RuleError, BadValue) as bad:
            column = bad.column if isinstance(bad, RuleError) else None
            context.problems.append(located(row.source, row.line, column, bad.message, bad.params))
            continue
        extra_changed = collections.differs(name, row, old) or (
            name == "plan" and plans.plan_changed(row, context.defaults)
        )
        if old is None:
            if has_key:
                attrs |= {"school_id": context.school_id, "external_id": row.key}
            inserts.append(attrs)
            counter.added += 1
            changed_rows.append((row, None, attrs))
            continue
        diff = {a: v for a, v in attrs.items() if old.get(a) != v}
        if mapping.soft_delete and old.get("deleted_at") is not None:
            diff["deleted_at"] = None
        if diff:
            updates.append({"id": old["id"], **diff})
        if diff or extra_changed:
            counter.changed += 1
            changed_rows.append((row, old, attrs))
        else:
            counter.unchanged += 1
    if not context.writing:
        return
    if name == "plan":
        await plans.park(context.session, updates, removals)
    if inserts:
        # COPY or Core's executemany, without RETURNING (SQLAlchemy splicing the RETURNING
        # batches cost more than the insert), then the new ids read back: one query a chunk.
        table = cast(Table, model.__table__)
        last_id = (await context.session.execute(select(func.max(table.c.id)))).scalar() or 0
        by_shape: dict[frozenset[str], list[dict[str, Any]]] = defaultdict(list)
        for attrs in inserts:
            by_shape[frozenset(attrs)].append(attrs)
        for shape in by_shape.values():
            for start in range(0, len(shape), CHUNK):
                await insert_rows(context.session, table, shape[start : start + CHUNK])
        if has_key:
            # By a range of the primary key: an IN list of keys is planned as a scan of the
            # whole table by PostgreSQL while the table grows uncommitted in this transaction.
            ids = context.registry.ids.setdefault(name, {})
            keys = {attrs["external_id"] for attrs in inserts}
            query = select(table.c.id, table.c.external_id).where(
                table.c.id > last_id, table.c.school_id == context.school_id
            )
            for new_id, key in await context.session.execute(query):
                if key in keys:
                    ids[key] = new_id
    if updates:
        by_shape_u: dict[frozenset[str], list[dict[str, Any]]] = defaultdict(list)
        for values in updates:
            if hasattr(model, "updated_at"):
                values["updated_at"] = context.now
            by_shape_u[frozenset(values)].append(values)
        for batch in by_shape_u.values():
            await context.session.execute(update(model), batch)
    if removals:
        removed = [r["id"] for r in removals]
        for start in range(0, len(removed), 500):
            chunk = removed[start : start + 500]
            if mapping.soft_delete:
                await context.session.execute(
                    update(model).where(model.id.in_(chunk)).values(deleted_at=context.now)  # type: ignore[attr-defined]
                )
            else:
                await context.session.execute(delete(model).where(model.id.in_(chunk)))  # type: ignore[attr-defined]
    await collections.sync(name, changed_rows)
    extras.record_events(
        context.outbox, name, changed_rows, removals, context.registry, context.defaults
    )
