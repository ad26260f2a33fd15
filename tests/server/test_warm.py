"""`settle()` keeps what the process loaded at start-up out of the garbage collector's walks."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ficarchive.server.warm import settle


@pytest.fixture
def unfrozen() -> Iterator[None]:
    yield
    gc.unfreeze()


def test_settle_freezes_what_is_alive_so_collections_do_not_walk_it(unfrozen: None) -> None:
    loaded = {"a view's module": ["kept for the life of the process"]}
    assert any(obj is loaded for obj in gc.get_objects())

    frozen = settle()

    assert frozen == gc.get_freeze_count() > 0
    assert not any(obj is loaded for obj in gc.get_objects())


def test_settle_loads_every_apps_urls_before_freezing(unfrozen: None) -> None:
    from django.urls import get_resolver

    settle()

    resolver = get_resolver()
    assert resolver.resolve("/search").url_name is not None
    assert not any(obj is resolver for obj in gc.get_objects())


def test_loading_the_wsgi_app_settles_it_for_any_server(tmp_path: Path) -> None:
    env = {**os.environ, "FICARCHIVE_DATA": str(tmp_path / "data")}
    env.pop("DATABASE_URL", None)
    loaded = subprocess.run(
        [sys.executable, "-c", "import gc, ficarchive.wsgi; print(gc.get_freeze_count())"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(loaded.stdout) > 10_000
