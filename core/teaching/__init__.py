"""Teachers keep the journal from the chat: their lessons, the roll-call, marks.

Messenger-neutral like the rest of ``core``: a handler names a lesson by :class:`LessonSlot`
(a day, a period, a class and group) and the services here judge, every time, whether the
reader may write to it (:mod:`core.teaching.access`), write in one transaction with the audit
record and the outbox events families are pushed from.
"""
