"""Declarative base, naming convention and the column types every model shares."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import BigInteger, DateTime, Dialect, Enum, ForeignKey, Integer, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator

# Alembic needs stable constraint names to drop or alter them later, and SQLite batch mode
# needs names to recreate tables; the convention gives every constraint one.
NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments an INTEGER PRIMARY KEY; BIGINT there would need explicit ids.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """An instant stored in UTC and always read back timezone-aware, on SQLite too.

    SQLite has no time zone type, so a plain ``DateTime(timezone=True)`` hands back naive values
    there; mixing naive and aware datetimes is the classic journal-bot bug this type rules out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an instant (aware datetime) is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def str_enum(enum_cls: type[enum.Enum], name: str) -> Enum:
    """A portable enum column: a VARCHAR with a CHECK constraint, storing the members' values.

    Native PostgreSQL enums would need ALTER TYPE migrations for every new member.
    """
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


class IdMixin:
    id: Mapped[int] = mapped_column(BigId, primary_key=True, sort_order=-3)


class TimestampsMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow, sort_order=10)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, sort_order=10)


class SchoolFedMixin(IdMixin):
    """A row the school feeds us: it carries the school's own id so that re-imports upsert.

    The external id is unique within a school (several schools may share one database).
    """

    @declared_attr
    def school_id(cls) -> Mapped[int]:  # noqa: N805 - declared_attr receives the class
        # No index of its own: the unique (school_id, external_id) already leads with it.
        return mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), sort_order=-2)

    external_id: Mapped[str | None] = mapped_column(String(64), sort_order=-1)


def fk(
    target: str, *, nullable: bool = False, ondelete: str = "CASCADE", index: bool = True
) -> Any:
    """A foreign key column to ``target`` ("table.id") with the defaults this schema uses."""
    return mapped_column(
        BigId, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=index
    )
