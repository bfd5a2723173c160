"""Early warning: the risk cases already reported, so that each is reported once a term."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, IdMixin, fk, str_enum
from core.models.enums import RiskKind


class RiskCase(IdMixin, Base):
    """A pupil at risk in a subject for one reason, in one term (core.analytics.risk).

    One row per (pupil, subject, kind, term), written the day the case is first seen and never
    again that term: a case that disappears and comes back is not reported twice. ``detail`` is
    what the case was about when first seen (an average, a share of lessons), never a reason of
    an absence.
    """

    __tablename__ = "risk_cases"

    school_id: Mapped[int] = fk("schools.id", index=False)
    student_id: Mapped[int] = fk("students.id", index=False)
    subject_id: Mapped[int] = fk("subjects.id", index=False)
    term_id: Mapped[int] = fk("terms.id", index=False)
    class_id: Mapped[int] = fk("school_classes.id", index=False)
    kind: Mapped[RiskKind] = mapped_column(str_enum(RiskKind, "risk_kind"))
    first_seen: Mapped[date]
    detail: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (
        UniqueConstraint("student_id", "subject_id", "kind", "term_id"),
        Index(None, "class_id", "first_seen"),
        Index(None, "school_id", "first_seen"),
    )
