"""Messenger accounts, their verified links to people, invite codes and access rights."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import CheckConstraint, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, IdMixin, fk, str_enum, utcnow
from core.models.enums import LinkMethod, Messenger, PermissionScope, PrivacyLevel, Role

# Exactly one of the three person columns is set.
_ONE_PERSON = (
    "(CASE WHEN guardian_id IS NULL THEN 0 ELSE 1 END"
    " + CASE WHEN student_id IS NULL THEN 0 ELSE 1 END"
    " + CASE WHEN staff_id IS NULL THEN 0 ELSE 1 END) = 1"
)


class Account(IdMixin, Base):
    """A messenger user. The core knows only an opaque messenger name and user key."""

    __tablename__ = "accounts"

    messenger: Mapped[Messenger] = mapped_column(str_enum(Messenger, "messenger"))
    # Which of the messenger's bots the user writes to: "" is the main bot (BOT_TOKEN), else
    # the key of a school's own bot (SCHOOL_BOTS). A chat belongs to one bot, so a user of two
    # schools' bots has an account with each, linked to that school's people only.
    bot: Mapped[str] = mapped_column(String(64), default="", server_default=text("''"))
    user_key: Mapped[str] = mapped_column(String(64))  # the messenger's user id, as text
    chat_key: Mapped[str] = mapped_column(String(64))  # where to push (the private chat)
    locale: Mapped[str | None] = mapped_column(String(8))
    # False once the user blocked the bot; set back when they write again.
    is_active: Mapped[bool] = mapped_column(default=True)
    consent_given_at: Mapped[datetime | None]
    current_student_id: Mapped[int | None] = fk(
        "students.id", nullable=True, ondelete="SET NULL", index=False
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime | None]

    __table_args__ = (UniqueConstraint("messenger", "user_key", "bot"),)


class AccountLink(IdMixin, Base):
    """A verified link from an account to a guardian, a student or a staff member."""

    __tablename__ = "account_links"

    account_id: Mapped[int] = fk("accounts.id")
    guardian_id: Mapped[int | None] = fk("guardians.id", nullable=True)
    student_id: Mapped[int | None] = fk("students.id", nullable=True)
    staff_id: Mapped[int | None] = fk("staff.id", nullable=True)
    method: Mapped[LinkMethod] = mapped_column(str_enum(LinkMethod, "link_method"))
    invite_id: Mapped[int | None] = fk("invite_codes.id", nullable=True, ondelete="SET NULL")
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (CheckConstraint(_ONE_PERSON, name="one_person"),)


class InviteCode(IdMixin, Base):
    """A one-time linking code; only its hash is stored."""

    __tablename__ = "invite_codes"

    school_id: Mapped[int] = fk("schools.id")
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"))
    guardian_id: Mapped[int | None] = fk("guardians.id", nullable=True)
    student_id: Mapped[int | None] = fk("students.id", nullable=True)
    staff_id: Mapped[int | None] = fk("staff.id", nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None]
    used_by_account_id: Mapped[int | None] = fk(
        "accounts.id", nullable=True, ondelete="SET NULL", index=False
    )
    revoked_at: Mapped[datetime | None]

    __table_args__ = (CheckConstraint(_ONE_PERSON, name="one_person"),)


class RolePermission(IdMixin, Base):
    """One cell of the configurable permission matrix: role × permission → scope."""

    __tablename__ = "role_permissions"

    school_id: Mapped[int] = fk("schools.id", index=False)
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"))
    permission: Mapped[str] = mapped_column(String(64))
    scope: Mapped[PermissionScope] = mapped_column(str_enum(PermissionScope, "permission_scope"))

    __table_args__ = (UniqueConstraint("school_id", "role", "permission"),)


class NotificationPreference(IdMixin, Base):
    """What an account wants pushed, and when (times are school-local)."""

    __tablename__ = "notification_preferences"

    account_id: Mapped[int] = fk("accounts.id", index=False)
    marks: Mapped[bool] = mapped_column(default=True)
    absences: Mapped[bool] = mapped_column(default=True)
    timetable_changes: Mapped[bool] = mapped_column(default=True)
    homework: Mapped[bool] = mapped_column(default=True)
    evening_digest: Mapped[bool] = mapped_column(default=True)
    weekly_summary: Mapped[bool] = mapped_column(default=True)
    announcements: Mapped[bool] = mapped_column(default=True)  # urgent ones come regardless
    # Early warning for a guardian (core.analytics.warnings): opted in, off by default.
    risk_warnings: Mapped[bool] = mapped_column(default=False)
    quiet_from: Mapped[time | None] = mapped_column(default=time(21, 0))
    quiet_to: Mapped[time | None] = mapped_column(default=time(7, 0))
    digest_at: Mapped[time] = mapped_column(default=time(19, 0))
    privacy: Mapped[PrivacyLevel] = mapped_column(
        str_enum(PrivacyLevel, "privacy_level"), default=PrivacyLevel.FULL
    )
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (UniqueConstraint("account_id"),)


class LinkAttempt(IdMixin, Base):
    """A failed linking attempt, counted per messenger user to stop brute force."""

    __tablename__ = "link_attempts"

    messenger: Mapped[Messenger] = mapped_column(str_enum(Messenger, "messenger"))
    user_key: Mapped[str] = mapped_column(String(64))
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index(None, "messenger", "user_key", "attempted_at"),
        # The retention purge (core.privacy.retention) deletes by age alone.
        Index(None, "attempted_at"),
    )
