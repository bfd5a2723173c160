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
RUN groupadd --system --gid 10001 journal \
    && useradd --system --uid 10001 --gid journal --home-dir /app --shell /usr/sbin/nologin journal \
    && mkdir -p /data \
    && chown journal:journal /data
WORKDIR /app
COPY --from=build --chown=root:root /app /app
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DATABASE_URL=sqlite+aiosqlite:////data/journal.db
USER journal
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["journal", "health"]
CMD ["journal", "run"]
