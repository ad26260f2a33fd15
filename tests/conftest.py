from __future__ import annotations

from typing import Any

import pytest

from tests.chromium import browser, page  # noqa: F401  (Chromium fixtures for every test)


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
    from ficarchive.overlap.detectors import forget_vectors

    forget_vectors()
