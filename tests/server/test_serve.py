"""`ficarchive serve` sets up a fresh data folder and serves pages and static files."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read()


def test_serve_migrates_and_serves_the_home_page(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "FICARCHIVE_DATA": str(tmp_path / "data"),
        "PORT": str(port),
        "WEB_WORKERS": "1",
        "WEB_THREADS": "2",
    }
    env.pop("DATABASE_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "ficarchive.cli", "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, body = _get(f"http://127.0.0.1:{port}/")
                break
            except OSError:
                assert server.poll() is None, server.stdout.read().decode() if server.stdout else ""
                assert time.monotonic() < deadline, "the server did not answer within 60 s"
                time.sleep(0.3)
        assert status == 200
        assert b"Recently updated" in body
        css = body.decode().split('rel="stylesheet" href="', 1)[1].split('"', 1)[0]
        assert css.startswith("/static/ficarchive/site.")
        assert _get(f"http://127.0.0.1:{port}{css}")[0] == 200
        assert (tmp_path / "data" / "ficarchive.db").exists()
        assert (tmp_path / "data" / "secret_key").exists()
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_a_bad_setting_stops_with_a_clear_message(tmp_path: Path) -> None:
    env = {**os.environ, "FICARCHIVE_DATA": str(tmp_path), "REGISTRATION": "sometimes"}
    result = subprocess.run(
        [sys.executable, "-m", "ficarchive.cli", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "configuration error: REGISTRATION='sometimes'" in result.stderr
    assert "Traceback" not in result.stderr
