"""The console chat loop: lines typed in a terminal become Telegram updates for the dispatcher.

Typing text sends a message; a number presses the button of that number (inline buttons of the
latest message that has them, then the reply keyboard); lines starting with ``:`` drive the
simulation (``:help`` lists them).
"""

from __future__ import annotations

import itertools
import mimetypes
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.types import (
    CallbackQuery,
    Chat,
    Contact,
    Document,
    Message,
    MessageEntity,
    PhotoSize,
    Sticker,
    Update,
    User,
)
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.console.personas import Persona, PersonaNotFoundError, find_persona
from bot.console.render import inline_buttons, plain, reply_buttons
from bot.console.session import BOT_USER, LocalSession, Outgoing
from bot.console.travel import travel_target
from bot.leader import SoleLeadership
from bot.notifier.pacer import PaceLimits
from bot.notifier.service import Notifier, NotifierConfig
from bot.scheduler import ScheduledJobs
from core.clock import Clock, school_today
from core.linking.invites import issue_invites
from core.models import Account
from core.notify.fanout import PushRules
from core.preferences import DEFAULTS, load_preferences

CONSOLE_HELP = """Console commands:
  <text>          send a message as the persona (e.g. /start, /help)
  <number>        press the button with that number
  :contact        share your own phone number (the «share my phone» button)
  :contact PHONE  share somebody else's contact (refused, as in Telegram)
  :code           get an invite code from the school and open its link
  :as ID          become another person of the school (their id in the school's data)
  :time           the school's time now; pushes due by then arrive as you type
  :time +2h       travel forward (+30m, +1d, 19:00, 2026-12-01 07:00): quiet hours end,
                  the coalescing window passes
  :digest         the evening digest as your chosen hour would send it
  :week           the weekly summary as Sunday evening would send it
  :risk           the day's early warning (16:00) now: new cases to class teachers and others
  :reply TEXT     reply to the bot's latest message (answers a question, writes back)
  :photo [TEXT]   send a photo (with a caption)
  :file NAME      send a document, e.g. :file справка.pdf (the type comes from the name)
  :sticker        send a sticker (the bot asks for text)
  :quit           leave (also Ctrl-D)"""


def console_notifier(
    bot: Bot, sessions: async_sessionmaker[AsyncSession], clock: Clock, dp: Dispatcher
) -> Notifier:
    """The production notifier, sending into this terminal (one chat: a fast pace is fine)."""
    config = NotifierConfig(
        rules=PushRules(timezone=dp["timezone"]),
        limits=PaceLimits(per_second=1000, chat_interval=0.0, group_interval=0.0),
        default_locale=dp["i18n"].default_locale,
    )
    return Notifier(bot, sessions, clock, config, dp["i18n"])


class Console:
    def __init__(
        self,
        dp: Dispatcher,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        persona: Persona,
        out: Callable[[str], None] = print,
        *,
        pushes: bool = True,
    ) -> None:
        self.dp = dp
        self.sessions = sessions
        self.clock = clock
        self.persona = persona
        self.out = out
        self.session = LocalSession(on_call=self._show)
        self.bot = Bot(
            token="42:console-mode-token-not-used-anywhere",  # noqa: S106 - never sent anywhere
            session=self.session,
            default=DefaultBotProperties(parse_mode=ParseMode.HTML),
        )
        self._ids = itertools.count(1)
        self._inline: list[tuple[str, str]] = []
        self._inline_message: int | None = None
        self._reply: list[tuple[str, bool]] = []
        self._last: tuple[int, str] | None = None  # the bot's latest message here: id, text
        self._files = itertools.count(1)
        self.notifier = console_notifier(self.bot, sessions, clock, dp) if pushes else None

    @property
    def user(self) -> User:
        return User(
            id=self.persona.user_id,
            is_bot=False,
            first_name=self.persona.first_name,
            last_name=self.persona.last_name,
        )

    def _show(self, outgoing: Outgoing) -> None:
        if outgoing.chat_id is not None and outgoing.chat_id != self.persona.user_id:
            return  # a push to somebody else's chat is none of this persona's business
        if outgoing.method == "answerCallbackQuery":
            if outgoing.text:
                self.out(f"bot (popup)> {outgoing.text}")
            return
        if outgoing.text is not None:
            edited = " (edited)" if outgoing.method.startswith("edit") else ""
            self.out(f"bot{edited}> {plain(outgoing.text)}")
            if outgoing.message_id is not None:
                self._last = (outgoing.message_id, outgoing.text)
        buttons = inline_buttons(outgoing.reply_markup)
        if buttons or outgoing.method == "editMessageReplyMarkup":
            self._inline, self._inline_message = buttons, outgoing.message_id
        reply = reply_buttons(outgoing.reply_markup)
        if reply is not None:
            self._reply = reply
        self._show_buttons()

    def _show_buttons(self) -> None:
        labels = [label for label, _ in self._inline] + [label for label, _ in self._reply]
        if labels:
            self.out("  " + "  ".join(f"[{n}] {label}" for n, label in enumerate(labels, 1)))

    def _message(self, **fields: object) -> Message:
        return Message(
            message_id=next(self._ids),
            date=datetime.now(UTC),
            chat=Chat(id=self.persona.user_id, type="private"),
            from_user=self.user,
            **fields,  # type: ignore[arg-type]
        )

    async def _feed(self, **event: object) -> None:
        update = Update(update_id=next(self._ids), **event)  # type: ignore[arg-type]
        await self.dp.feed_update(self.bot, update)

    async def send_text(self, text: str) -> None:
        entities = None
        if text.startswith("/"):
            length = len(text.split(maxsplit=1)[0])
            entities = [MessageEntity(type="bot_command", offset=0, length=length)]
        await self._feed(message=self._message(text=text, entities=entities))

    async def reply(self, text: str) -> None:
        """A plain reply to the bot's latest message in this chat."""
        if self._last is None:
            self.out("console> nothing to reply to yet")
            return
        message_id, replied_text = self._last
        replied = Message(
            message_id=message_id,
            date=datetime.now(UTC),
            chat=Chat(id=self.persona.user_id, type="private"),
            from_user=BOT_USER,
            text=replied_text,
        )
        await self._feed(message=self._message(text=text, reply_to_message=replied))

    async def send_file(self, argument: str, *, photo: bool) -> None:
        """A photo or a document, as Telegram hands one to a bot: ids and sizes, no bytes."""
        number = next(self._files)
        if photo:
            size = PhotoSize(
                file_id=f"console-photo-{number}",
                file_unique_id=f"console-photo-{number}",
                width=1280,
                height=960,
                file_size=250_000,
            )
            await self._feed(message=self._message(photo=[size], caption=argument or None))
            return
        name, _, caption = argument.partition(" ")
        if not name:
            self.out("console> use :file NAME, e.g. :file справка.pdf")
            return
        document = Document(
            file_id=f"console-file-{number}",
            file_unique_id=f"console-file-{number}",
            file_name=name,
            mime_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
            file_size=120_000,
        )
        await self._feed(message=self._message(document=document, caption=caption or None))

    async def share_contact(self, phone: str | None, *, own: bool = True) -> None:
        if phone is None:
            self.out("console> this person has no phone number in the school's records")
            return
        contact = Contact(
            phone_number=phone,
            first_name=self.persona.first_name,
            user_id=self.persona.user_id if own else self.persona.user_id + 1,
        )
        await self._feed(message=self._message(contact=contact))

    async def press(self, number: int) -> None:
        if 1 <= number <= len(self._inline):
            label, data = self._inline[number - 1]
            if data.startswith("http"):
                self.out(f"console> that button opens {data}")
                return
            message = Message(
                message_id=self._inline_message or 0,
                date=datetime.now(UTC),
                chat=Chat(id=self.persona.user_id, type="private"),
                from_user=BOT_USER,
                text=label,
            )
            query = CallbackQuery(
                id=str(next(self._ids)),
                from_user=self.user,
                chat_instance="console",
                message=message,
                data=data,
            )
            await self._feed(callback_query=query)
            return
        index = number - len(self._inline) - 1
        if 0 <= index < len(self._reply):
            label, asks_contact = self._reply[index]
            if asks_contact:
                await self.share_contact(self.persona.phone)
            else:
                await self.send_text(label)
            return
        self.out(f"console> there is no button {number}")

    async def issue_code(self) -> None:
        async with self.sessions() as session:
            now = self.clock.now()
            invites = await issue_invites(
                session,
                now=now,
                today=school_today(self.clock, self.dp["timezone"]),
                person=self.persona.external_id,
                role=self.persona.invite_role,
                ttl=timedelta(days=30),
            )
            await session.commit()
        code = invites[0].code
        self.out(f"console> the school gave you the code {code}; opening its link")
        await self.send_text(f"/start {code}")

    async def switch(self, external_id: str) -> None:
        try:
            async with self.sessions() as session:
                self.persona = await find_persona(session, external_id)
        except PersonaNotFoundError:
            self.out(f"console> nobody with the id {external_id} in the school's data")
            return
        self._inline, self._reply = [], []
        self.out(f"console> you are now {self.persona.first_name} {self.persona.last_name}")

    async def handle(self, line: str) -> bool:
        """Act on one typed line; False when the user wants to leave."""
        line = line.strip()
        if not line:
            return True
        if line in (":quit", ":q", ":exit"):
            return False
        if line == ":help":
            self.out(CONSOLE_HELP)
        elif line == ":contact":
            await self.share_contact(self.persona.phone)
        elif line.startswith(":contact "):
            await self.share_contact(line.split(maxsplit=1)[1], own=False)
        elif line == ":code":
            await self.issue_code()
        elif line.startswith(":as "):
            await self.switch(line.split(maxsplit=1)[1])
        elif line == ":time" or line.startswith(":time "):
            self.travel(line.removeprefix(":time").strip())
        elif line in (":digest", ":week", ":risk"):
            await self.scheduled(line)
        elif line.startswith(":reply "):
            await self.reply(line.split(maxsplit=1)[1])
        elif line == ":photo" or line.startswith(":photo "):
            await self.send_file(line.removeprefix(":photo").strip(), photo=True)
        elif line.startswith(":file"):
            await self.send_file(line.removeprefix(":file").strip(), photo=False)
        elif line == ":sticker":
            sticker = Sticker(
                file_id="console-sticker",
                file_unique_id="console-sticker",
                type="regular",
                width=512,
                height=512,
                is_animated=False,
                is_video=False,
            )
            await self._feed(message=self._message(sticker=sticker))
        elif line.startswith(":"):
            self.out("console> unknown console command; :help lists them")
        elif line.isdigit():
            await self.press(int(line))
        else:
            await self.send_text(line)
        return True

    async def run(self, lines: AsyncIterator[str]) -> None:
        self.out(
            f"console> you are {self.persona.first_name} {self.persona.last_name} "
            f"(id {self.persona.external_id}); :help lists console commands"
        )
        await self.deliver()
        async for line in lines:
            if not await self.handle(line):
                break
            await self.deliver()

    async def deliver(self) -> None:
        """Send what is due by the console's clock (this persona sees their own pushes)."""
        if self.notifier is not None:
            await self.notifier.run_until_idle(patience=30)

    def travel(self, argument: str) -> None:
        timezone = self.dp["timezone"]
        if argument:
            target = travel_target(argument, self.clock.now(), timezone)
            move = getattr(self.clock, "move_to", None)
            if target is None or move is None:
                self.out("console> use :time +2h, +30m, +1d, 19:00 or 2026-12-01 07:00 (ahead)")
                return
            move(target)
        local = self.clock.now().astimezone(timezone)
        self.out(f"console> school time: {local:%Y-%m-%d %H:%M} ({local:%A})")

    async def scheduled(self, which: str) -> None:
        jobs = ScheduledJobs(self.sessions, self.clock, self.dp["timezone"], SoleLeadership())
        if which == ":week":
            planned = await jobs.weekly_summary()
        elif which == ":risk":
            planned = await jobs.early_warning()
        else:
            async with self.sessions() as session:
                account = await session.execute(
                    select(Account.id).where(Account.user_key == str(self.persona.user_id))
                )
                account_id = account.scalar_one_or_none()
                digest_at = (
                    (await load_preferences(session, account_id)).digest_at
                    if account_id is not None
                    else DEFAULTS.digest_at
                )
                await session.commit()
            planned = await jobs.evening_digest(digest_at)
        if not planned:
            self.out("console> nothing to plan (not linked, switched off, or already sent)")
