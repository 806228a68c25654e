"""Container healthchecks, as docker-compose.yml and the Dockerfile run them.

    python -m citizencrm.healthcheck web    this container's server answers /healthz with 200

Exit status 0 when healthy, 1 otherwise, with one line saying what was seen. (The worker's is
Celery's own `celery inspect ping`.)
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request


def web() -> tuple[bool, str]:
    """GET http://127.0.0.1:$PORT/healthz (gunicorn's PORT, 8000 in the image), no proxy."""
    url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/healthz"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=4) as response:
            return response.status == 200, f"{url} {response.status} {response.read(300)!r}"
    except urllib.error.HTTPError as exc:
        return False, f"{url} {exc.code} {exc.read(300)!r}"
    except OSError as exc:
        return False, f"{url} unreachable: {exc}"


CHECKS = {"web": web}


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[1] not in CHECKS:
        print(__doc__, file=sys.stderr)
        return 2
    healthy, detail = CHECKS[argv[1]]()
    print(f"{argv[1]}: {'healthy' if healthy else 'UNHEALTHY'}: {detail}")
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
