"""`journal invites issue` and `revoke` as an operator runs them (a real process, SQLite)."""

from __future__ import annotations

import csv
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import update

from core import migrate
from core.clock import SystemClock
from core.db import create_engine, create_sessionmaker
from core.linking.dto import LinkOutcome
from core.linking.redeem import redeem_code
from core.models import Guardian
from tests.conftest import in_thread
from tests.linking.helpers import TG
from tests.linking.school import TODAY, build
from tests.runtime.test_cli import journal

TOKEN = "123456789:AAH-abcdefghijklmnopqrstuvwxyz_0123"  # noqa: S105 - for the fake server


async def _school(url: str) -> None:
    in_thread(migrate.upgrade, url)
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
async def env(tmp_path: Path) -> dict[str, str]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'j.db'}"
    await _school(url)
    return {"DATABASE_URL": url, "DEFAULT_LOCALE": "en", "BOT_USERNAME": "school_journal_bot"}


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
        "journal invites: set BOT_USERNAME (or BOT_TOKEN, to ask Telegram) for the links"
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
