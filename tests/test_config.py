from __future__ import annotations

from pathlib import Path

import pytest

from ficarchive.config import (
    ConfigError,
    cache_from_url,
    database_from_url,
    env_bool,
    env_choice,
    env_int,
    env_secret,
)


def test_bad_values_name_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ConfigError, match="DEBUG='maybe': expected true or false"):
        env_bool("DEBUG", False)
    monkeypatch.setenv("PORT", "eighty")
    with pytest.raises(ConfigError, match="PORT='eighty': expected a whole number"):
        env_int("PORT", 8000)
    monkeypatch.setenv("REGISTRATION", "sometimes")
    with pytest.raises(ConfigError, match="expected one of open, invite, closed"):
        env_choice("REGISTRATION", "open", ("open", "invite", "closed"))


def test_undocumented_variables_cannot_be_read() -> None:
    with pytest.raises(ConfigError, match="not a documented"):
        env_bool("SOMETHING_ELSE", False)


def test_the_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    key_file = tmp_path / "secret_key"
    first = env_secret("SECRET_KEY", key_file)
    assert len(first) >= 50
    assert env_secret("SECRET_KEY", key_file) == first
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


def test_a_secret_key_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "key").write_text("from-a-file\n")
    monkeypatch.setenv("SECRET_KEY_FILE", str(tmp_path / "key"))
    assert env_secret("SECRET_KEY", tmp_path / "unused") == "from-a-file"


def test_database_urls(tmp_path: Path) -> None:
    sqlite = database_from_url(None, tmp_path / "db")
    assert sqlite["ENGINE"].endswith("sqlite3")
    assert "journal_mode=WAL" in sqlite["OPTIONS"]["init_command"]
    postgres = database_from_url("postgresql://fan:p%40ss@db.example:5433/archive", tmp_path)
    assert (postgres["USER"], postgres["PASSWORD"], postgres["HOST"], postgres["PORT"]) == (
        "fan",
        "p@ss",
        "db.example",
        "5433",
    )
    assert postgres["NAME"] == "archive"
    with pytest.raises(ConfigError, match="only postgresql"):
        database_from_url("mysql://x/y", tmp_path)


def test_postgresql_gets_planner_settings_unless_the_url_names_them(tmp_path: Path) -> None:
    plain = database_from_url("postgresql://fan@db.example/archive", tmp_path)
    assert plain["OPTIONS"]["options"] == "-c jit=off -c random_page_cost=1.1"
    more = database_from_url(
        "postgresql://fan@db.example/archive?options=-c%20work_mem%3D64MB&sslmode=require",
        tmp_path,
    )
    assert more["OPTIONS"] == {
        "options": "-c work_mem=64MB -c jit=off -c random_page_cost=1.1",
        "sslmode": "require",
    }
    asked = database_from_url("postgresql://fan@db.example/archive?options=-c%20jit%3Don", tmp_path)
    assert asked["OPTIONS"]["options"] == "-c jit=on -c random_page_cost=1.1"


def test_the_cache_is_each_process_memory_unless_cache_url_names_redis() -> None:
    own = cache_from_url(None, 64 * 1024 * 1024)
    assert own["BACKEND"] == "ficarchive.server.cache.BoundedMemoryCache"
    assert own["OPTIONS"]["MAX_BYTES"] == 64 * 1024 * 1024
    shared = cache_from_url("redis://127.0.0.1:6379/3", 64 * 1024 * 1024)
    assert shared["BACKEND"] == "ficarchive.server.cache.SharedCache"
    assert shared["LOCATION"] == "redis://127.0.0.1:6379/3"


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("memcached://127.0.0.1:11211", "expected redis://host:6379/0"),
        ("127.0.0.1:6379", "expected redis://host:6379/0"),
        ("redis:///0", "the Redis host is missing"),
    ],
)
def test_a_cache_url_that_is_not_redis_names_cache_url(url: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=f"CACHE_URL={url!r}: {problem}"):
        cache_from_url(url, 1024)
