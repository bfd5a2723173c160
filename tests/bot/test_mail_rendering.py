"""The mail's views with hostile text: valid Telegram HTML, at most 4,096 characters, callback
data within 64 bytes, every page of a long list reachable."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from aiogram.utils.i18n import I18n
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import create_i18n
from core.messaging.dto import (
    Addressee,
    AnnouncementReport,
    Attachment,
    InboxPage,
    MessageView,
    Side,
    ThreadSummary,
    ThreadView,
    Unreached,
    UnreachedPerson,
)
from core.messaging.notices import AnnouncementNotice, ThreadNotice
from core.models.enums import (
    AnnouncementAudience,
    AnnouncementTarget,
    AttachmentKind,
    AuthorKind,
    ThreadStatus,
)
from handlers.views import announce as announce_views
from handlers.views import compose as compose_views
from handlers.views import threads as thread_views
from handlers.views.formatting import esc
from handlers.views.inbox import inbox_view
from tests.bot.test_rendering import check

TZ = ZoneInfo("Asia/Yekaterinburg")
NOW = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
hostile = st.text(alphabet=st.sampled_from("<>&\"'абв xyz\n#🗂*_`[]"), min_size=1, max_size=2000)
names = st.text(alphabet=st.sampled_from("<>&Иван ова."), min_size=1, max_size=80)
SLOW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def i18n() -> Iterator[I18n]:
    i18n = create_i18n("ru")
    with i18n.context(), i18n.use_locale("ru"):
        yield i18n


def _file(name: str) -> Attachment:
    return Attachment(AttachmentKind.DOCUMENT, "file-id", name, "application/pdf", 10)


@SLOW
@given(text=hostile, name=names, count=st.integers(1, 40))
def test_a_long_thread_fits_and_keeps_its_newest_messages(
    i18n: I18n, text: str, name: str, count: int
) -> None:
    messages = tuple(
        MessageView(
            id=n,
            author_kind=AuthorKind.FAMILY if n % 2 else AuthorKind.STAFF,
            author=name,
            text=f"{n}:{text}",
            created_at=NOW,
            read_at=None,
            to_all_guardians=False,
            attachments=(_file(name),),
        )
        for n in range(count)
    )
    view = ThreadView(
        id=12, side=Side.FAMILY, status=ThreadStatus.OPEN, child=name, class_name="7А",
        staff=name, addressed_as=Addressee.TEACHER, subject=name, asker=name, title=name,
        shared_with_guardians=False, created_at=NOW, messages=messages,
    )  # fmt: skip
    text_out, keyboard = thread_views.thread_view(view, TZ, NOW)
    check(text_out, keyboard)
    assert f"{count - 1}:" in text_out  # the newest message is always shown


@SLOW
@given(text=hostile, name=names)
def test_notices_and_the_preview_fit(i18n: I18n, text: str, name: str) -> None:
    notice = ThreadNotice(
        thread_id=7, message_id=9, to_staff=False, first=True, child=name, class_name="7А",
        subject=name, addressed_as=Addressee.CLASS_TEACHER, asker=name, staff=name,
        text=text, attachments=(_file(name),) * 5, to_all_guardians=True,
    )  # fmt: skip
    check(*thread_views.family_notice(notice))
    check(*thread_views.family_notice(notice, full=False))
    check(*thread_views.staff_notice(notice))
    preview = compose_views.DraftPreview(
        heading=esc(name), text=text, files=(_file(name),) * 5, answer=True,
        announcement_toggles=(True, False, True),
    )  # fmt: skip
    check(*compose_views.preview_view(preview))
    announcement = AnnouncementNotice(
        announcement_id=3, author=name, target=AnnouncementTarget.GROUP, label=name,
        audience=AnnouncementAudience.BOTH, text=text + text, attachments=(), ask_ack=True,
        urgent=True,
    )  # fmt: skip
    check(*announce_views.notice_view(announcement))


def test_who_was_not_reached_pages_through_a_whole_school(i18n: I18n) -> None:
    people = tuple(
        UnreachedPerson(f"Родитель <{n}> & Ко", f"Ребёнок {n} (7А)", "not_linked")
        for n in range(900)
    )
    found = Unreached(announcement_id=5, people=people, hidden=3)
    text, keyboard = announce_views.unreached_view(found)
    check(text, keyboard)
    assert keyboard is not None
    pages = int(text.rsplit(" ", 1)[-1])
    assert pages > 5
    seen: set[int] = set()
    for page in range(pages):
        text, keyboard = announce_views.unreached_view(found, page)
        check(text, keyboard)
        seen.update(n for n in range(900) if f"Родитель &lt;{n}&gt; &amp; Ко —" in text)
    assert seen == set(range(900))  # every person on some page


def test_the_inbox_and_the_report_fit(i18n: I18n) -> None:
    items = tuple(
        ThreadSummary(
            id=n, status=ThreadStatus.OPEN, child="<b>" * 20, counterpart="&" * 64,
            title="«" * 80, last_message_at=NOW, unread=True, waiting_for_read=True,
        )
        for n in range(8)
    )  # fmt: skip
    check(*inbox_view(InboxPage(items, 3, 9, 70, Side.FAMILY), TZ, NOW, other_side=True))
    report = AnnouncementReport(
        announcement_id=10**9, target=AnnouncementTarget.GRADE, label="11",
        audience=AnnouncementAudience.GUARDIANS, created_at=NOW, people=5, delivered=1,
        acknowledged=1, waiting=1, turned_off=1, blocked=1, failed=0, not_linked=1,
        ask_ack=True, urgent=False,
    )  # fmt: skip
    assert report.adds_up
    check(*announce_views.report_view(report, TZ, NOW))
