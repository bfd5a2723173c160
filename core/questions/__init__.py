"""Free-text questions a family types, understood without network services.

:func:`parse_question` turns «оценки по алгебре», «что задали на завтра» or "homework for
Friday" into a :class:`Question`: what is asked (a :class:`Topic`), for which day or week, and
about which subject. It is rule-based and small on purpose: keywords by stem, dates by a handful
of patterns, subjects by stem or a common nickname. What it cannot place returns ``None``.
"""

from core.questions.parse import Question, Span, Topic, parse_question

__all__ = ["Question", "Span", "Topic", "parse_question"]
