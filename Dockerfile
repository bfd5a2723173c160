# syntax=docker/dockerfile:1
# Multi-stage: the build stage resolves the locked dependencies with uv and compiles the
# catalogues; the runtime stage carries only the virtualenv and the code, and runs as non-root.

FROM python:3.11-slim-bookworm AS build
ENV UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PROJECT_ENVIRONMENT=/app/.venv
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /app
# Dependencies first, so code changes do not invalidate this layer.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY core ./core
COPY handlers ./handlers
COPY bot ./bot
COPY locales ./locales
COPY babel.cfg ./
RUN uv sync --frozen --no-dev \
    && .venv/bin/pybabel compile -d locales -D messages

FROM python:3.11-slim-bookworm AS runtime
# `journal backup` / `restore` on PostgreSQL run pg_dump / pg_restore, which must be at least the
# server's major version (an older pg_dump refuses to dump a newer server); Debian 12 ships 15,
# so the client comes from PostgreSQL's own apt repository in the server's major (compose.yaml
# passes the same PG_MAJOR to both). The file must hold exactly one key, that fingerprint.
ARG PG_MAJOR=16
ARG PGDG_KEY_FINGERPRINT=B97B0AFCAA1A47F044F244A07FCC7D46ACCC4CF8
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl gnupg \
    && install -d /usr/share/postgresql-common/pgdg \
    && curl -fsSL -o /tmp/pgdg.asc https://www.postgresql.org/media/keys/ACCC4CF8.asc \
    && test "$(gpg --show-keys --with-colons /tmp/pgdg.asc \
        | awk -F: '/^pub:/ {n++} /^fpr:/ && !f {f = $10} END {print n ":" f}')" \
        = "1:${PGDG_KEY_FINGERPRINT}" \
    && gpg --dearmor -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.gpg /tmp/pgdg.asc \
    && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.gpg] https://apt.postgresql.org/pub/repos/apt bookworm-pgdg main" \
        > /etc/apt/sources.list.d/pgdg.list \
    && apt-get update \
    && apt-get install -y --no-install-recommends "postgresql-client-${PG_MAJOR}" \
    && apt-get purge -y --auto-remove curl gnupg \
    && rm -rf /var/lib/apt/lists/* /tmp/pgdg.asc
RUN groupadd --system --gid 10001 journal \
    && useradd --system --uid 10001 --gid journal --home-dir /app --shell /usr/sbin/nologin journal \
    && mkdir -p /data/files \
    && chown -R journal:journal /data
WORKDIR /app
COPY --from=build --chown=root:root /app /app
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DATABASE_URL=sqlite+aiosqlite:////data/journal.db \
    FILES_DIR=/data/files
USER journal
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["journal", "health"]
CMD ["journal", "run"]
