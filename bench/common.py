"""Helpers shared by bench/entry.py and bench/load.py: ports, manage.py, a Django snippet, stats."""

import json
import math
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "hoa-sen-trong-dam"
MARKER = "BENCH-JSON:"
# Province, the 2025 plan, the preloaded reporting forms and rounds, the demo users.
SETUP = (
    ["migrate", "--noinput"],
    ["collectstatic", "--noinput"],
    ["load_units"],
    ["load_plan"],
    ["load_reporting"],
    ["load_demo"],
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env, *args):
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def setup_database(env):
    for command in SETUP:
        manage(env, *command)


def django_snippet(env, code: str):
    """Run `code` in `manage.py shell`; it reports back with `emit(obj)` (one JSON line)."""
    prelude = f"import json\ndef emit(obj):\n    print({MARKER!r} + json.dumps(obj))\n"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", prelude + code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    for line in reversed(result.stdout.splitlines()):
        if line.startswith(MARKER):
            return json.loads(line[len(MARKER) :])
    raise SystemExit(f"the Django snippet reported nothing:\n{result.stdout}\n{result.stderr}")


def wait_until_up(process, url, seconds=30.0):
    """Poll `url` until it answers; kill `process` and stop if it does not within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with status {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    process.kill()
    process.wait()
    raise SystemExit("the server did not start")


def percentile(values, fraction: float) -> float:
    """Nearest-rank percentile (fraction in 0..1) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def server_ms(headers) -> float:
    """The app's own time from the Server-Timing header (core.middleware)."""
    return float(headers.get("server-timing", "app;dur=0").split("dur=")[1])
