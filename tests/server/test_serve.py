"""`ficarchive serve` sets up a fresh data folder and serves pages and static files."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any


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


def _children(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children]


def _job_workers(pid: int) -> list[int]:
    found = []
    for child in _children(pid):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        except FileNotFoundError:
            continue  # ended since
        if b"worker" in command:
            found.append(child)
    return found


def _until(condition: Callable[[], object], seconds: float, what: str) -> Any:
    deadline = time.monotonic() + seconds
    while not (found := condition()):
        assert time.monotonic() < deadline, f"{what} did not happen within {seconds} s"
        time.sleep(0.2)
    return found


def test_serve_starts_a_killed_job_worker_again(tmp_path: Path) -> None:
    port = _free_port()
    data = tmp_path / "data"
    env = {
        **os.environ,
        "FICARCHIVE_DATA": str(data),
        "PORT": str(port),
        "WEB_WORKERS": "1",
        "WEB_THREADS": "2",
        "JOB_WORKERS": "1",
    }
    env.pop("DATABASE_URL", None)
    log = tmp_path / "serve.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "ficarchive.cli", "serve"],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        (first,) = _until(lambda: _job_workers(server.pid), 90, "a job worker")
        os.kill(first, signal.SIGKILL)
        (second,) = _until(
            lambda: [pid for pid in _job_workers(server.pid) if pid != first],
            30,
            "a new job worker",
        )
        assert f"job worker {first} was killed by SIGKILL" in log.read_text()
        # The new worker runs what is queued: a digest job (no reader chose digests: it sends
        # nothing, and ends done).
        subprocess.run(
            [sys.executable, "-m", "ficarchive.cli", "send_digests", "--queue"],
            env=env,
            check=True,
            capture_output=True,
            timeout=60,
        )

        def digest_done() -> bool:
            with sqlite3.connect(data / "ficarchive.db", timeout=30) as db:
                row = db.execute(
                    "SELECT state FROM jobs_job WHERE kind = 'community.digest'"
                ).fetchone()
            return bool(row == ("done",))

        _until(digest_done, 60, "the queued job's end")
        assert _job_workers(server.pid) == [second]
    finally:
        server.terminate()
        server.wait(timeout=30)
    # Stopping the server stopped its job worker too.
    assert not Path(f"/proc/{second}").exists()


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


def test_downloads_link_to_the_port_serve_listens_on_when_site_url_is_unset(
    tmp_path: Path,
) -> None:
    port = _free_port()
    env = {**os.environ, "FICARCHIVE_DATA": str(tmp_path / "data"), "WEB_WORKERS": "1"}
    for name in ("DATABASE_URL", "SITE_URL", "HOST", "PORT"):
        env.pop(name, None)
    story = tmp_path / "lanterns.txt"
    story.write_text("Lanterns\n\nThe lanterns went up over the bridge one by one.\n")
    importing = [sys.executable, "-m", "ficarchive.cli", "import", str(story)]
    server = subprocess.Popen(
        [sys.executable, "-m", "ficarchive.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        _until(lambda: _answers(f"http://127.0.0.1:{port}/"), 60, "the server to answer")
        subprocess.run(
            [*importing, "--author", "lauren", "--post", "--fandom", "Gilmore Girls"],
            env=env,
            check=True,
            capture_output=True,
        )
        work_id = (
            sqlite3.connect(tmp_path / "data" / "ficarchive.db")
            .execute("SELECT id FROM works_work")
            .fetchone()[0]
        )
        status, body = _get(f"http://127.0.0.1:{port}/downloads/{work_id}/Lanterns.html")
        assert status == 200
        assert f'href="http://127.0.0.1:{port}/works/{work_id}"' in body.decode()
        assert ":8000" not in body.decode()
    finally:
        server.terminate()
        server.wait(timeout=20)


def _answers(url: str) -> bool:
    try:
        return _get(url)[0] == 200
    except OSError:
        return False


def _serve_env(data: Path, port: int, home: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "FICARCHIVE_DATA": str(data),
        "PORT": str(port),
        "WEB_WORKERS": "2",
        "WEB_THREADS": "2",
        "JOB_WORKERS": "0",
        # gunicorn's control socket would be made under $XDG_RUNTIME_DIR, else ~/.gunicorn.
        "HOME": str(home),
    }
    for name in ("DATABASE_URL", "HOST", "XDG_RUNTIME_DIR"):
        env.pop(name, None)
    return env


def test_a_second_serve_on_a_taken_port_refuses_to_start_and_the_first_keeps_serving(
    tmp_path: Path,
) -> None:
    port = _free_port()
    home = tmp_path / "home"
    home.mkdir()
    first = subprocess.Popen(
        [sys.executable, "-m", "ficarchive.cli", "serve"],
        env=_serve_env(tmp_path / "first", port, home),
        stdout=(tmp_path / "first.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        _until(lambda: _answers(f"http://127.0.0.1:{port}/"), 120, "the first server to answer")
        second = subprocess.run(
            [sys.executable, "-m", "ficarchive.cli", "serve"],
            env=_serve_env(tmp_path / "second", port, home),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert second.returncode != 0
        assert f"127.0.0.1:{port} is already in use by another `ficarchive serve`" in (
            second.stderr
        )
        assert "Traceback" not in second.stderr
        assert "serving" not in second.stdout
        # Every connection reaches the first server: with the second gone, none is refused.
        for _ in range(20):
            assert _get(f"http://127.0.0.1:{port}/")[0] == 200
        assert first.poll() is None
        # No control socket shared by every `serve` of this user.
        assert not (home / ".gunicorn").exists()
    finally:
        first.terminate()
        first.wait(timeout=30)


def test_serve_refuses_a_port_another_program_listens_on(tmp_path: Path) -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "ficarchive.cli", "serve", "--port", str(port)],
            env=_serve_env(tmp_path / "data", port, tmp_path),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode != 0
    assert f"127.0.0.1:{port} is already in use by another program" in result.stderr
    assert "Traceback" not in result.stderr
