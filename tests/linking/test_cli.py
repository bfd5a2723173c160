"""`journal invites issue` and `revoke` as an operator runs them: a real process, each database."""

from __future__ import annotations

import csv
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import segno
from sqlalchemy import update

from core.clock import SystemClock
from core.db import create_engine, create_sessionmaker
from core.linking.dto import LinkOutcome
from core.linking.redeem import redeem_code
from core.models import Guardian
from tests.cli_kit import journal_in_process as journal
from tests.linking.helpers import TG
from tests.linking.school import TODAY, build

TOKEN = "123456789:AAH-abcdefghijklmnopqrstuvwxyz_0123"  # noqa: S105 - for the fake server
MAX_TOKEN = "max-token_ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"  # noqa: S105 - for the fake server


async def _school(url: str) -> None:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            ids = await build(session)
            # A name that would break the page if it were not escaped.
            await session.execute(
                update(Guardian).where(Guardian.id == ids.maria).values(last_name="Смирнова<b>&")
            )
            await session.commit()
    finally:
        await engine.dispose()


async def _redeem(url: str, user: str, code: str) -> LinkOutcome:
    engine = create_engine(url)
    clock = SystemClock()
    try:
        async with create_sessionmaker(engine)() as session:
            result = await redeem_code(session, TG, user, user, code, clock.now(), TODAY)
            await session.commit()
            return result.outcome
    finally:
        await engine.dispose()


@pytest.fixture
async def env(db_url: str) -> dict[str, str]:
    await _school(db_url)
    return {
        "DATABASE_URL": db_url,
        "DEFAULT_LOCALE": "en",
        "BOT_USERNAME": "school_journal_bot",
    }


def _sheets(directory: Path) -> list[Path]:
    return list(directory.glob("invites-*"))


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as source:
        return list(csv.DictReader(source))


async def test_issue_writes_a_list_and_a_sheet_whose_codes_redeem_until_revoked(
    env: dict[str, str], tmp_path: Path
) -> None:
    issued = journal("invites", "issue", "--class", "7A", "--out", "sheets", env=env, cwd=tmp_path)
    assert issued.returncode == 0, issued.stderr
    csv_line, html_line, count_line = issued.stdout.splitlines()
    assert count_line == "invite codes issued: 4"
    csv_path, html_path = tmp_path / csv_line, tmp_path / html_line
    assert csv_path.parent == html_path.parent == tmp_path / "sheets"
    assert csv_path.stat().st_mode & 0o077 == 0  # live codes: the owner's eyes only

    rows = _rows(csv_path)
    assert [row["person_id"] for row in rows] == ["X1", "G1", "G2", "G3"]  # Зуева … Смирнова
    for row in rows:
        assert row["link"] == f"https://t.me/school_journal_bot?start={row['code']}"
        assert row["expires"]
    page = html_path.read_text(encoding="utf-8")
    assert page.count("<svg") == 4
    assert page.count('class="card"') == 4
    assert "Смирнова&lt;b&gt;&amp;" in page
    assert "Смирнова<b>" not in page
    assert all(row["code"] in page for row in rows)

    url = env["DATABASE_URL"]
    assert await _redeem(url, "900", rows[1]["code"]) == LinkOutcome.LINKED
    revoked = journal("invites", "revoke", "--class", "7А", env=env, cwd=tmp_path)
    assert revoked.returncode == 0, revoked.stderr
    assert revoked.stdout.strip() == "invite codes revoked: 3"
    assert await _redeem(url, "901", rows[2]["code"]) == LinkOutcome.INVALID


async def test_issue_for_one_person_writes_to_the_current_directory(
    env: dict[str, str], tmp_path: Path
) -> None:
    issued = journal("invites", "issue", "--person", "T1", "--days", "3", env=env, cwd=tmp_path)
    assert issued.returncode == 0, issued.stderr
    csv_line = issued.stdout.splitlines()[0]
    assert (tmp_path / csv_line).parent == tmp_path
    assert [row["kind"] for row in _rows(tmp_path / csv_line)] == ["staff"]


async def test_bad_targets_and_a_missing_username_end_with_one_line(
    env: dict[str, str], tmp_path: Path
) -> None:
    ambiguous = journal("invites", "issue", "--person", "X1", env=env, cwd=tmp_path)
    assert ambiguous.returncode == 2
    assert ambiguous.stderr.strip().splitlines()[-1] == (
        "journal invites: the id X1 belongs to several people (guardian, staff): give --role"
    )
    no_name = journal(
        "invites", "issue", "--class", "7А", env={**env, "BOT_USERNAME": ""}, cwd=tmp_path
    )
    assert no_name.returncode == 2
    assert no_name.stderr.strip().splitlines() == [
        "journal invites: set BOT_USERNAME or BOT_TOKEN (Telegram) and/or MAX_BOT_USERNAME or "
        "MAX_BOT_TOKEN (MAX) for the links"
    ]
    assert not _sheets(tmp_path)


class _FakeTelegram(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        assert self.path == f"/bot{TOKEN}/getMe"
        me = {"id": 42, "is_bot": True, "first_name": "Journal", "username": "gym_journal_bot"}
        body = json.dumps({"ok": True, "result": me}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def telegram() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeTelegram)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


async def test_without_a_username_the_bot_asks_telegram(
    env: dict[str, str], tmp_path: Path, telegram: str
) -> None:
    settings = {**env, "BOT_USERNAME": "", "BOT_TOKEN": TOKEN, "BOT_API_URL": telegram}
    issued = journal("invites", "issue", "--person", "G1", env=settings, cwd=tmp_path)
    assert issued.returncode == 0, issued.stderr
    rows = _rows(tmp_path / issued.stdout.splitlines()[0])
    assert rows[0]["link"].startswith("https://t.me/gym_journal_bot?start=")


def _svgs(page: str) -> list[str]:
    return re.findall(r"<svg .*?</svg>", page, re.DOTALL)


def _qr(link: str) -> str:
    # No QR decoder is installed: the printed code must be segno's encoding of exactly the link.
    return segno.make_qr(link, error="m").svg_inline(scale=3)


async def test_with_only_a_max_bot_the_links_open_max(env: dict[str, str], tmp_path: Path) -> None:
    settings = {**env, "BOT_USERNAME": "", "MAX_BOT_USERNAME": "@school_max_bot"}
    issued = journal("invites", "issue", "--class", "7А", env=settings, cwd=tmp_path)
    assert issued.returncode == 0, issued.stderr
    csv_line, html_line, count_line = issued.stdout.splitlines()
    assert count_line == "invite codes issued: 4"
    header = (tmp_path / csv_line).read_text(encoding="utf-8-sig").splitlines()[0]
    assert header == "person_id,kind,name,classes,code,link,expires,max_link"
    rows = _rows(tmp_path / csv_line)
    assert len(rows) == 4
    for row in rows:
        assert row["link"] == ""
        assert row["max_link"] == f"https://max.ru/school_max_bot?start={row['code']}"
    page = (tmp_path / html_line).read_text(encoding="utf-8")
    assert page.count('class="card"') == 4
    assert _svgs(page) == [_qr(row["max_link"]) for row in rows]
    assert "open the link in MAX" in page
    assert "t.me/" not in page
    # The code is the school's, not a messenger's: it links like any other.
    assert await _redeem(env["DATABASE_URL"], "900", rows[1]["code"]) == LinkOutcome.LINKED


async def test_with_both_bots_every_code_has_both_links(
    env: dict[str, str], tmp_path: Path
) -> None:
    settings = {**env, "MAX_BOT_USERNAME": "school_max_bot"}
    issued = journal("invites", "issue", "--class", "7А", env=settings, cwd=tmp_path)
    assert issued.returncode == 0, issued.stderr
    csv_line, html_line, _count = issued.stdout.splitlines()
    rows = _rows(tmp_path / csv_line)
    assert len(rows) == 4
    for row in rows:
        assert row["link"] == f"https://t.me/school_journal_bot?start={row['code']}"
        assert row["max_link"] == f"https://max.ru/school_max_bot?start={row['code']}"
    page = (tmp_path / html_line).read_text(encoding="utf-8")
    assert page.count('class="card"') == 4
    assert _svgs(page) == [_qr(row[column]) for row in rows for column in ("link", "max_link")]
    assert page.count('<p class="messenger">In Telegram</p>') == 4
    assert page.count('<p class="messenger">In MAX</p>') == 4


class _FakeMax(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path != "/me" or self.headers.get("Authorization") != MAX_TOKEN:
            self._answer(401, {"code": "verify.token", "message": "Invalid access_token"})
            return
        me = {"user_id": 77, "first_name": "Journal", "username": "gym_max_bot", "is_bot": True}
        self._answer(200, me)

    def _answer(self, status: int, answer: dict[str, object]) -> None:
        body = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def max_api() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeMax)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


async def test_without_a_max_name_the_bot_asks_max(
    env: dict[str, str], tmp_path: Path, max_api: str
) -> None:
    settings = {**env, "MAX_BOT_TOKEN": MAX_TOKEN, "MAX_API_URL": max_api}
    issued = journal("invites", "issue", "--person", "G1", env=settings, cwd=tmp_path)
    assert issued.returncode == 0, issued.stderr
    row = _rows(tmp_path / issued.stdout.splitlines()[0])[0]
    assert row["link"] == f"https://t.me/school_journal_bot?start={row['code']}"
    assert row["max_link"] == f"https://max.ru/gym_max_bot?start={row['code']}"

    # A token MAX refuses: one line, no sheet, no code stored (the files come first).
    refused = {**settings, "MAX_BOT_TOKEN": "another_token_0123456789"}
    elsewhere = tmp_path / "refused"
    elsewhere.mkdir()
    failed = journal("invites", "issue", "--person", "G2", env=refused, cwd=elsewhere)
    assert failed.returncode == 2
    assert failed.stderr.strip().splitlines() == [
        "journal invites: MAX did not tell the bot's name (InvalidToken); set MAX_BOT_USERNAME"
    ]
    assert not _sheets(elsewhere)
