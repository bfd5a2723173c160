"""Dedicated asyncpg connections beside the SQLAlchemy pool (the outbox listener, the leader's
lock): where they connect to, and closing one that may already be half dead."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import make_url


def libpq_dsn(database_url: str) -> str | None:
    """The libpq DSN of the app's PostgreSQL URL (any driver name); None for other databases."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        return None
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


async def close_quietly(connection: Any, timeout: float) -> None:  # noqa: ASYNC109 - asyncpg's own
    """Close politely if the server answers within ``timeout`` (asyncpg's close has its own
    deadline), else drop the socket."""
    if connection is None or connection.is_closed():
        return
    try:
        await connection.close(timeout=timeout)
    except Exception:
        connection.terminate()
