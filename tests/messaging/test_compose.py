"""A draft in a chat's state: JSON both ways, garbled state dropped, checks as text and files
arrive, and "Send" through each kind's use case (which checks everything again)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from core.messaging.compose import (
    Draft,
    DraftKind,
    announcement_limit,
    clean_required,
    send_draft,
    with_file,
    with_text,
)
from core.messaging.dto import AnnouncementReceipt, Attachment, Receipt
from core.messaging.errors import MessagingRefused, Refusal
from core.messaging.rules import MB
from core.models.enums import AttachmentKind, ThreadStatus
from tests.messaging.helpers import PDF, PHOTO, ask_as, messages_of, thread_row
from tests.messaging.mailschool import NOW, RULES, TG, Mail

FULL = Draft(
    kind=DraftKind.ANNOUNCE,
    heading="📢 7А · родителям",
    text="Собрание",
    files=(PHOTO, PDF, Attachment(AttachmentKind.DOCUMENT, "k", None, None, None)),
    child=1,
    staff=2,
    role="teacher",
    subject=3,
    thread=4,
    target="class",
    grade=7,
    class_id=5,
    group_id=6,
    audience="both",
    ack=True,
    urgent=True,
    may_urgent=True,
    extra={"preview": 42},
)


@pytest.mark.parametrize("draft", [FULL, Draft(DraftKind.ASK), Draft(DraftKind.POST, thread=9)])
def test_a_draft_survives_a_json_state_store(draft: Draft) -> None:
    state = draft.to_state()
    stored = json.loads(json.dumps(state))
    assert Draft.from_state(stored) == draft
    assert Draft.from_state(state) == draft


@pytest.mark.parametrize(
    "state",
    [
        {},
        {"text": "без вида"},
        {"kind": "telegraph"},
        {"kind": "ask", "files": "photo"},
        {"kind": "ask", "files": [{"kind": "photo"}]},
        {"kind": "ask", "files": [{"kind": "video", "file_key": "k"}]},
        {"kind": "ask", "files": ["photo"]},
        {"kind": "ask", "child": "Анна"},
        {"kind": "ask", "staff": None},
        {"kind": "ask", "child": True},
        {"kind": "ask", "text": 5},
        {"kind": "announce", "urgent": "yes"},
        {"kind": "ask", "extra": []},
        {"kind": "ask", "files": [{"kind": "photo", "file_key": "k", "size": "big"}]},
        {"kind": "ask", "files": [{"kind": "photo", "file_key": "k", "file_name": 7}]},
        {"kind": "announce", "audience": "parents"},
    ],
)
def test_a_garbled_state_is_no_draft(state: dict[str, Any]) -> None:
    assert Draft.from_state(state) is None


def test_keys_of_the_adapters_own_are_ignored() -> None:
    assert Draft.from_state({"kind": "ask", "label": "7А", "child": 3}) == Draft(
        DraftKind.ASK, child=3
    )


def test_with_text_trims_and_checks_the_limit_of_the_kind() -> None:
    ask = Draft(DraftKind.ASK)
    assert with_text(ask, "  Вопрос  ", RULES).text == "Вопрос"
    assert with_text(ask, "я" * 2000, RULES).text == "я" * 2000
    with pytest.raises(MessagingRefused) as caught:
        with_text(ask, "я" * 2001, RULES)
    assert (caught.value.reason, caught.value.limit) == (Refusal.TOO_LONG, 2000)
    announcement = Draft(DraftKind.ANNOUNCE)
    assert announcement_limit(RULES) == 3500
    assert with_text(announcement, "я" * 3500, RULES).text == "я" * 3500
    with pytest.raises(MessagingRefused) as caught:
        with_text(announcement, "я" * 3501, RULES)
    assert (caught.value.reason, caught.value.limit) == (Refusal.TOO_LONG, 3500)


def test_with_file_checks_each_file_and_the_count() -> None:
    draft = Draft(DraftKind.ASK)
    for n in range(5):
        draft = with_file(draft, PHOTO, RULES)
        assert len(draft.files) == n + 1
    with pytest.raises(MessagingRefused) as caught:
        with_file(draft, PHOTO, RULES)
    assert (caught.value.reason, caught.value.limit) == (Refusal.TOO_MANY_FILES, 5)
    bad = Attachment(AttachmentKind.DOCUMENT, "x", "setup.exe", "application/pdf", 10)
    big = Attachment(AttachmentKind.DOCUMENT, "y", "скан.pdf", "application/pdf", 10 * MB + 1)
    with pytest.raises(MessagingRefused) as wrong_type:
        with_file(Draft(DraftKind.ASK), bad, RULES)
    with pytest.raises(MessagingRefused) as too_big:
        with_file(Draft(DraftKind.ASK), big, RULES)
    assert wrong_type.value.reason == Refusal.FILE_TYPE
    assert (too_big.value.reason, too_big.value.limit) == (Refusal.FILE_TOO_BIG, 10 * MB)


def test_clean_required_refuses_an_empty_draft_only() -> None:
    with pytest.raises(MessagingRefused) as caught:
        clean_required(Draft(DraftKind.ASK, text="  "), RULES)
    assert caught.value.reason == Refusal.EMPTY
    clean_required(Draft(DraftKind.ASK, files=(PHOTO,)), RULES)
    clean_required(Draft(DraftKind.ASK, text="Вопрос"), RULES)
    # An announcement may be longer than a question.
    clean_required(Draft(DraftKind.ANNOUNCE, text="я" * 3000), RULES)


async def test_send_draft_asks(mail: Mail) -> None:
    draft = Draft(
        DraftKind.ASK,
        text="Вопрос по алгебре",
        files=(PDF,),
        child=mail.ids["S1"],
        staff=mail.ids["T1"],
        role="teacher",
        subject=mail.ids["ALG"],
    )
    restored = Draft.from_state(json.loads(json.dumps(draft.to_state())))
    assert restored is not None
    async with mail.sessions() as session:
        olga = await mail.reader(session, "G1")
        receipt = await send_draft(session, olga, RULES, restored, messenger=TG, now=NOW)
        assert isinstance(receipt, Receipt)
        thread = await thread_row(session, receipt.thread_id)
        assert (thread.subject_id, thread.staff_id) == (mail.ids["ALG"], mail.ids["T1"])
        # The same draft for a subject she does not teach is checked again and refused.
        forged = Draft(
            DraftKind.ASK,
            text="Вопрос",
            child=mail.ids["S1"],
            staff=mail.ids["T1"],
            role="teacher",
            subject=mail.ids["ENG"],
        )
        with pytest.raises(MessagingRefused) as caught:
            await send_draft(session, olga, RULES, forged, messenger=TG, now=NOW)
    assert caught.value.reason == Refusal.NOT_ALLOWED


async def test_send_draft_posts_and_answers(mail: Mail) -> None:
    async with mail.sessions() as session:
        asked = await ask_as(session, mail, "G1")
        krylova = await mail.reader(session, "T1")
        olga = await mail.reader(session, "G1")
        # "To all guardians" is for the staff answer only: a family follow-up never shares.
        follow = Draft(DraftKind.POST, text="Дополню", thread=asked.thread_id)
        await send_draft(session, olga, RULES, follow, messenger=TG, now=NOW, to_all_guardians=True)
        assert not (await thread_row(session, asked.thread_id)).shared_with_guardians
        answer = Draft(DraftKind.ANSWER, text="Ответ всем", thread=asked.thread_id)
        receipt = await send_draft(
            session, krylova, RULES, answer, messenger=TG, now=NOW, to_all_guardians=True
        )
        thread = await thread_row(session, asked.thread_id)
        messages = await messages_of(session, asked.thread_id)
    assert isinstance(receipt, Receipt)
    assert thread.shared_with_guardians
    assert thread.status == ThreadStatus.ANSWERED
    assert [m.to_all_guardians for m in messages] == [False, False, True]


async def test_send_draft_announces_with_the_longer_limit(mail: Mail) -> None:
    draft = Draft(
        DraftKind.ANNOUNCE,
        text="я" * 3000,
        target="class",
        class_id=mail.ids["C7A"],
        audience="both",
        ack=True,
    )
    async with mail.sessions() as session:
        krylova = await mail.reader(session, "T1")
        receipt = await send_draft(session, krylova, RULES, draft, messenger=TG, now=NOW)
        urgent = replace(draft, urgent=True)
        with pytest.raises(MessagingRefused) as caught:
            await send_draft(session, krylova, RULES, urgent, messenger=TG, now=NOW)
    assert isinstance(receipt, AnnouncementReceipt)
    assert receipt.people == 6
    assert caught.value.reason == Refusal.NOT_ALLOWED
