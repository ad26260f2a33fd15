"""Real small and read-only filesystems for the tests of bad days on disk.

Tests run as root, and root writes through `chmod 0555`, so a folder's mode cannot make it
read-only; a tmpfs mounted read-only (or filled to its last byte) refuses writes to everyone,
as a full or read-only disk does. Mounting needs root and mount(8): where they are missing the
tests that need them are skipped, saying so.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise OSError(done.stderr.strip() or f"mount {' '.join(args)} failed")


@contextmanager
def tmpfs(folder: Path, size_kb: int) -> Iterator[Path]:
    """A tmpfs of `size_kb` at `folder`, unmounted afterwards; skips without root or mount."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("needs root and mount(8) for a real small or read-only filesystem")
    folder.mkdir(parents=True, exist_ok=True)
    try:
        _mount("-t", "tmpfs", "-o", f"size={size_kb}k,mode=0755", "tmpfs", str(folder))
    except OSError as error:
        pytest.skip(f"cannot mount a tmpfs here ({error})")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def read_only(folder: Path) -> None:
    """Remount the tmpfs at `folder` read-only: every write there fails with EROFS."""
    _mount("-o", "remount,ro", str(folder))


def fill(folder: Path) -> int:
    """Write a file in `folder` until the filesystem is full; returns the bytes written."""
    written = 0
    block = b"\0" * 4096
    with open(folder / "filler", "wb", buffering=0) as handle:
        while True:
            try:
                written += handle.write(block)
            except OSError:
                break
    # The last bytes a page-sized block would not take.
    with open(folder / "filler-tail", "wb", buffering=0) as handle:
        while True:
            try:
                written += handle.write(b"\0")
            except OSError:
                return written
