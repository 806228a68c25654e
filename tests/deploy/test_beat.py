"""One beat per deployment, enforced by a lock in Redis (RedBeat), not by a comment: a second
beat started by mistake (`docker compose up --scale beat=2`, a second `make run`) dispatches
nothing while the first one runs, so no sweep or relay runs twice; when the first one dies
without a word (SIGKILL), the second takes over once the lock expires."""

from __future__ import annotations

from tests.conftest import wait_until
from tests.deploy import compose
from tests.deploy.conftest import Process, production_env_file

RELAY_SENT = "Sending due task outbox-relay"


def _sends(beat: Process) -> int:
    return beat.output().count(RELAY_SENT)


def test_a_second_beat_dispatches_nothing_until_the_first_one_dies(tmp_path, own_redis):
    env = compose.container_env(
        "beat", production_env_file(tmp_path), REDIS_URL=own_redis.url,
        OUTBOX_RELAY_SECONDS="0.5", BEAT_LOCK_SECONDS="3",
    )  # fmt: skip
    command = compose.service("beat")["command"]
    first = Process(command, env, tmp_path / "first.log").start()
    second = None
    try:
        assert wait_until(lambda: "Acquired lock" in first.output(), timeout=60), first.output()
        second = Process(command, env, tmp_path / "second.log").start()
        assert wait_until(lambda: "beat: Starting" in second.output(), timeout=60)
        already = _sends(first)

        # Both run; the relay is due every half second and the first keeps sending it.
        assert wait_until(lambda: _sends(first) >= already + 6, timeout=60), first.output()
        assert _sends(second) == 0, second.output()
        assert "Acquired lock" not in second.output()

        first.stop(kill=True)  # no chance to release the lock
        assert wait_until(lambda: _sends(second) >= 2, timeout=60), second.output()
        assert "Acquired lock" in second.output()
    finally:
        first.stop()
        if second is not None:
            second.stop()
