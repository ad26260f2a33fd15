"""Parsing in a child process with a memory limit (RLIMIT_AS) and a time limit, so one file can
never take the process that asked for it: a web server's worker, or `ficarchive import`.

The limits counted while a file is read (`texts.limits`) stop every hostile file we know of
early; this is the fence behind them, for the file nobody has thought of yet. The child is a
fresh Python (`python -m ficarchive.texts.isolation`) that imports only the parsers, no Django,
so it starts in a fifth of a second and small. It parses one file after another for as long as
its `ParserProcess` lives (an import of a folder starts one child, not one a file):

    child → parent   once started: 8 bytes of length, then JSON {"ready": true}
    parent → child   a JSON line {"name": …, "size": n}, then the file's n bytes
    child → parent   8 bytes of length, then JSON: {"work": {…}} or {"error": "…"}, with "peak"
                     (its peak resident memory so far, in KiB)

JSON, not pickle, because what comes back was made from an untrusted file. A child that runs past
the time limit is killed; one that runs out of memory answers so (or dies); in both cases the
next file gets a fresh child.
"""

from __future__ import annotations

import json
import os
import resource
import selectors
import subprocess
import sys
import time
import traceback
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from ficarchive.texts.formats import format_for, parse_bytes, too_big
from ficarchive.texts.limits import Limits, megabytes
from ficarchive.texts.structure import ParsedWork, ParseError

_LENGTH_BYTES = 8
_MEMORY = "memory"
_NICENESS = 10
_START_SECONDS = 60  # a child starts in well under a second; this is for a machine under load


class ParserProcess:
    """Parses files in a child process under `limits`; use as a context manager."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._child: subprocess.Popen[bytes] | None = None
        self.peak_kib = 0  # the child's peak resident memory after the last file, for bench/

    def __enter__(self) -> ParserProcess:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def parse(self, data: bytes, name: str) -> ParsedWork:
        """The work in the file, or a ParseError naming the file and the limit it passed."""
        if len(data) > self.limits.max_file_bytes:
            raise ParseError(too_big(len(data), self.limits), name)
        try:
            child = self._start()
        except ParseError as error:
            raise ParseError(error.message, name) from None
        deadline = time.monotonic() + self.limits.parse_seconds
        try:
            reply = _exchange(child, name, data, deadline)
        except TimeoutError:
            self.close()
            raise ParseError(
                f"reading it took longer than {self.limits.parse_seconds:g} seconds, the most "
                "ficarchive gives one file",
                name,
            ) from None
        except (OSError, EOFError, ValueError):
            self.close()
            raise ParseError(self._memory_message(died=True), name) from None
        self.peak_kib = int(reply.get("peak", 0))
        if reply.get("error") == _MEMORY:
            self.close()
            raise ParseError(self._memory_message(died=False), name)
        if "error" in reply:
            raise ParseError(str(reply["error"]), name)
        return ParsedWork.from_dict(reply["work"])

    def _memory_message(self, died: bool) -> str:
        limit = megabytes(self.limits.parse_memory_bytes)
        if died:
            return (
                f"reading it stopped the reader (it needs more than the {limit} of memory "
                "ficarchive gives one file, or the file is damaged)"
            )
        return f"reading it needs more than the {limit} of memory ficarchive gives one file"

    def _start(self) -> subprocess.Popen[bytes]:
        if self._child is not None and self._child.poll() is None:
            return self._child
        root = str(Path(__file__).resolve().parents[2])
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]),
        }
        child = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ficarchive.texts.isolation",
                json.dumps(self.limits.as_dict()),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        self._child = child
        # The child says when its parsers are loaded, so a file's time limit is the file's own.
        try:
            assert child.stdout is not None
            deadline = time.monotonic() + _START_SECONDS
            length = int.from_bytes(_read_exactly(child.stdout, _LENGTH_BYTES, deadline), "big")
            _read_exactly(child.stdout, length, deadline)
        except (TimeoutError, EOFError, OSError) as error:
            self.close()
            raise ParseError(f"the file reader could not be started ({error!r})") from None
        return child

    def close(self) -> None:
        child, self._child = self._child, None
        if child is None:
            return
        if child.poll() is None:
            child.kill()
        child.wait()
        for stream in (child.stdin, child.stdout):
            if stream is not None:
                stream.close()


def _exchange(
    child: subprocess.Popen[bytes], name: str, data: bytes, deadline: float
) -> dict[str, Any]:
    assert child.stdin is not None
    assert child.stdout is not None
    header = json.dumps({"name": name, "size": len(data)}).encode() + b"\n"
    child.stdin.write(header)
    child.stdin.write(data)
    child.stdin.flush()
    length = int.from_bytes(_read_exactly(child.stdout, _LENGTH_BYTES, deadline), "big")
    reply: dict[str, Any] = json.loads(_read_exactly(child.stdout, length, deadline))
    return reply


def _read_exactly(stream: IO[bytes], size: int, deadline: float) -> bytes:
    """`size` bytes from the child, or TimeoutError at the deadline, EOFError if it died."""
    parts: list[bytes] = []
    left = size
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        while left > 0:
            wait = deadline - time.monotonic()
            if wait <= 0 or not selector.select(wait):
                raise TimeoutError
            chunk = os.read(stream.fileno(), min(left, 1024 * 1024))
            if not chunk:
                raise EOFError
            parts.append(chunk)
            left -= len(chunk)
    return b"".join(parts)


# -- the child -------------------------------------------------------------------------------------


def _child_main(limits: Limits) -> None:
    # The address space, not the resident size: a limit the kernel enforces on every allocation.
    memory = limits.parse_memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    # Reading a file can wait a moment; a reader logging in should not: when the CPUs are busy,
    # the server's own threads come first.
    os.nice(_NICENESS)
    # No django.setup() here, so no app's ready(): the child registers the built-in formats
    # itself, as a script would (the parent never needs the parsers).
    import ficarchive.texts.formats.builtin  # noqa: F401

    # The protocol owns the real stdout; anything a library prints goes to stderr instead.
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    requests = sys.stdin.buffer
    _send(replies, {"ready": True})
    while True:
        line = requests.readline()
        if not line:
            return
        header = json.loads(line)
        data = requests.read(header["size"])
        name = str(header["name"])
        answer: dict[str, Any]
        try:
            answer = {"work": parse_bytes(data, name, limits).to_dict()}
        except ParseError as error:
            answer = {"error": error.message}
        except MemoryError:
            answer = {"error": _MEMORY}
        except Exception:  # a fault in a parser: logged here, never a stack trace for the user
            traceback.print_exc()
            entry = format_for(name)
            kind = entry.name if entry is not None else "file"
            answer = {
                "error": f"ficarchive could not read it (a fault in its {kind} reader; "
                "the server's log has the details)"
            }
        del data
        answer["peak"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        _send(replies, answer)
        if answer.get("error") == _MEMORY:
            return  # what is left of this process after a MemoryError is not to be trusted


def _send(replies: IO[bytes], answer: dict[str, Any]) -> None:
    payload = json.dumps(answer, ensure_ascii=False).encode()
    replies.write(len(payload).to_bytes(_LENGTH_BYTES, "big") + payload)
    replies.flush()


if __name__ == "__main__":
    _child_main(Limits.from_dict(json.loads(sys.argv[1])))
