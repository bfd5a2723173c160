"""compose.yaml, the Dockerfile and the scale profile's nginx, read as files: no Docker daemon
runs where the tests run, so this checks what can be checked without one (README, "Docker").

`docker-compose config` (1.29, Debian's package) also accepted the file by hand; the image was
never built nor the services started here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]  # no stubs; the test reads only dicts

ROOT = Path(__file__).resolve().parents[2]
JOURNAL_SERVICES = ("migrate", "bot", "notifier", "bot-2")


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return loaded


def _services() -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = _compose()["services"]
    return services


def test_plain_up_starts_a_bot_and_a_notifier_on_postgresql_and_redis() -> None:
    services = _services()
    default = {name for name, s in services.items() if not s.get("profiles")}
    assert default == {"db", "redis", "migrate", "bot", "notifier"}
    db = services["db"]
    assert db["image"].startswith("postgres:")
    assert "pgdata:/var/lib/postgresql/data" in db["volumes"]
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert "redis-cli" in services["redis"]["healthcheck"]["test"]
    assert services["notifier"]["command"] == ["journal", "notifier"]
    assert services["migrate"]["command"] == ["journal", "db", "upgrade"]
    for name in JOURNAL_SERVICES:
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgresql+asyncpg://journal:")
        assert "@db:5432/journal" in env["DATABASE_URL"]
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        # The pushes are the notifier's; a second sender would only double the budget's users.
        assert env["RUN_NOTIFIER"] == "false"
        if name != "migrate":  # the schema is migrated once, before any process starts
            assert services[name]["depends_on"]["migrate"] == {
                "condition": "service_completed_successfully"
            }
    assert services["migrate"]["depends_on"]["db"] == {"condition": "service_healthy"}


def test_the_scale_profile_puts_two_bots_behind_a_round_robin_proxy() -> None:
    services = _services()
    scale = {name for name, s in services.items() if "scale" in s.get("profiles", [])}
    assert scale == {"bot-2", "proxy"}
    proxy = services["proxy"]
    [mount] = proxy["volumes"]
    source, target = mount.split(":")[:2]
    assert target == "/etc/nginx/conf.d/default.conf"
    conf = (ROOT / source).read_text()
    upstream = re.search(r"upstream journal_bots \{(.*?)\}", conf, re.S)
    assert upstream is not None
    assert re.findall(r"server ([\w-]+:\d+)", upstream.group(1)) == ["bot:8080", "bot-2:8080"]
    assert "proxy_pass http://journal_bots;" in conf
    assert re.search(r"location = /metrics \{\s*deny all;", conf)  # not for the world
    assert "listen 8080;" in conf
    assert proxy["ports"] == ["${PROXY_PORT:-8088}:8080"]


def test_images_are_pinned_and_the_bot_runs_from_the_lock_as_non_root() -> None:
    for name, service in _services().items():
        image = service["image"]
        assert ":" in image, name
        assert not image.endswith(":latest"), name
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "uv sync --frozen --no-dev --no-install-project" in dockerfile
    runtime = dockerfile[dockerfile.index("AS runtime") :]
    users = re.findall(r"^USER (\S+)", runtime, re.M)
    assert users == ["journal"]
    assert runtime.index("USER journal") > runtime.rindex("RUN ")  # nothing runs as root after
    # pg_dump for `journal backup`, in the same major as the compose file's server.
    assert '"postgresql-client-${PG_MAJOR}"' in runtime
    [default_major] = re.findall(r"^ARG PG_MAJOR=(\d+)$", runtime, re.M)
    assert _compose()["x-journal"]["build"]["args"]["PG_MAJOR"] == f"${{PG_MAJOR:-{default_major}}}"
    assert _services()["db"]["image"] == f"postgres:${{PG_MAJOR:-{default_major}}}-alpine"
