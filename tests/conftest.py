from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page


@pytest.fixture
def browser() -> Iterator[Browser]:
    # Imported here so that Playwright (and the ORM's async guard it turns off) is loaded only
    # by the tests that drive Chromium.
    from tests import chromium

    yield from chromium.launched_browser()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    from tests import chromium

    yield from chromium.opened_page(browser)


@pytest.fixture(autouse=True)
def _plain_static_files(settings: Any) -> None:
    # Tests render pages without running collectstatic, so no hashed-name manifest exists.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _open_registration(settings: Any) -> None:
    settings.REGISTRATION = "open"


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    # Page and blurb caches live in the test process; each test starts without them.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _own_data_folder(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    # Generated files (downloads) go to a folder of the test's own, never to ./data.
    settings.DATA_DIR = tmp_path_factory.mktemp("data")


@pytest.fixture(autouse=True)
def _fresh_passage_vectors() -> None:
    # Rolled-back ids come back in the next test with other rows; the vector cache of the
    # overlap check must not take them for the passages it saw.
    from ficarchive.overlap.semantic import forget_vectors

    forget_vectors()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A transactional test empties the database when it ends; unless it restores the migrated
    # rows (content types, permissions) with serialized rollback, the next test that does
    # restore them on the same worker fails with a UNIQUE error at setup. Say so at collection.
    careless = []
    for item in items:
        marker = item.get_closest_marker("django_db")
        fixtures = getattr(item, "fixturenames", ())
        transactional = (marker is not None and marker.kwargs.get("transaction")) or (
            "live_server" in fixtures or "transactional_db" in fixtures
        )
        serialized = marker is not None and marker.kwargs.get("serialized_rollback")
        if transactional and not serialized:
            careless.append(item.nodeid)
    if careless:
        raise pytest.UsageError(
            "These tests use transaction=True without serialized_rollback=True: "
            + ", ".join(careless)
        )
