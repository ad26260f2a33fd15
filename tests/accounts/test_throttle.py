"""accounts.throttle: the growing delay and the fixed window, counted in the database, and
counted right when many requests arrive at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from ficarchive.accounts import throttle
from ficarchive.accounts.models import Throttle

pytestmark = pytest.mark.django_db

GROWING = throttle.Limit(
    "test-growing", 3, timedelta(days=1), timedelta(seconds=10), "Wait {wait}, please."
)
FIXED = throttle.Limit("test-fixed", 2, timedelta(hours=1), message="Back in {wait}.")


def _refusal(counter: throttle.Counter, now: datetime) -> throttle.Throttled | None:
    try:
        throttle.check(counter, now=now)
    except throttle.Throttled as refused:
        return refused
    return None


def test_after_the_allowed_tries_each_waits_twice_as_long_as_the_last_up_to_the_cap() -> None:
    counter = GROWING.on("someone")
    start = timezone.now()
    for second in range(3):
        assert _refusal(counter, start + timedelta(seconds=second)) is None
    last = start + timedelta(seconds=2)
    waits = []
    for _ in range(5):
        refused = _refusal(counter, last)
        assert refused is not None
        waits.append(refused.seconds)
        assert refused.message == f"Wait {throttle.wait_in_words(refused.seconds)}, please."
        # One moment early is still too early; on time, the try is counted.
        assert _refusal(counter, last + timedelta(seconds=refused.seconds - 0.1)) is not None
        last += timedelta(seconds=refused.seconds)
        assert _refusal(counter, last) is None
    assert waits == [2, 4, 8, 10, 10]


def test_a_refused_try_is_not_counted() -> None:
    counter = GROWING.on("someone")
    now = timezone.now()
    for _ in range(3):
        throttle.check(counter, now=now)
    for _ in range(20):
        assert _refusal(counter, now) is not None
    assert Throttle.objects.get(key=counter.key).count == 3
    refused = _refusal(counter, now + timedelta(seconds=1))
    assert refused is not None
    assert refused.seconds == 1


def test_a_fixed_window_allows_so_many_tries_then_none_until_it_ends() -> None:
    counter = FIXED.on("192.0.2.1")
    start = timezone.now()
    assert _refusal(counter, start) is None
    assert _refusal(counter, start + timedelta(minutes=30)) is None
    refused = _refusal(counter, start + timedelta(minutes=31))
    assert refused is not None
    assert refused.seconds == 29 * 60
    assert refused.message == "Back in 29 minutes."
    assert _refusal(counter, start + timedelta(hours=1)) is None
    assert _refusal(FIXED.on("192.0.2.2"), start + timedelta(minutes=31)) is None


def test_counters_checked_together_are_refused_together_and_none_is_counted() -> None:
    now = timezone.now()
    busy, idle = FIXED.on("busy"), GROWING.on("idle")
    throttle.check(busy, now=now)
    throttle.check(busy, now=now)
    assert _refusal(busy, now) is not None
    with pytest.raises(throttle.Throttled):
        throttle.check(idle, busy, now=now)
    assert not Throttle.objects.filter(key=idle.key).exists()


def test_a_try_given_back_or_forgiven_leaves_room_for_another() -> None:
    counter = FIXED.on("192.0.2.1")
    now = timezone.now()
    throttle.check(counter, now=now)
    throttle.check(counter, now=now)
    throttle.give_back(counter)
    assert _refusal(counter, now) is None
    assert _refusal(counter, now) is not None
    throttle.forgive(counter)
    assert not Throttle.objects.filter(key=counter.key).exists()
    assert _refusal(counter, now) is None


def test_counts_run_out_and_their_rows_are_deleted() -> None:
    now = timezone.now()
    throttle.check(FIXED.on("old"), now=now)
    throttle.check(FIXED.on("new"), now=now + timedelta(hours=2))
    assert Throttle.objects.count() == 1


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(1, "1 second"), (59, "59 seconds"), (119, "119 seconds"), (120, "2 minutes"),
     (121, "3 minutes"), (7199, "120 minutes"), (7200, "2 hours"), (86400, "24 hours")],
)  # fmt: skip
def test_a_wait_is_said_in_words_rounded_up(seconds: int, words: str) -> None:
    assert throttle.wait_in_words(seconds) == words


STORM = Path(__file__).with_name("storm.py")


def _delays_within(seconds: float) -> int:
    """How many growing delays (2, 4, 8 … seconds, one after another) run out within
    `seconds`."""
    count, spent = 0, 0.0
    while spent + 2 ** (count + 1) <= seconds:
        count += 1
        spent += 2**count
    return count


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_wrong_passwords_and_sign_ups_get_no_more_than_the_limit(
    tmp_path: Path,
) -> None:
    """60 wrong passwords and 20 sign-ups from one address, each set released at once from its
    own threads, in another process against a real database: a file on SQLite (the tests' own
    in-memory one cannot take writers from several threads), this test's on PostgreSQL."""
    env = {
        **os.environ,
        "FICARCHIVE_DATA": str(tmp_path),
        "LOGIN_ATTEMPTS": "5",
        "SIGNUPS_PER_DAY": "3",
        "PYTHONPATH": str(Path(__file__).parents[2]),
    }
    if connection.vendor == "postgresql":
        settings = connection.settings_dict
        env["DATABASE_URL"] = (
            f"postgresql://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
            f"{settings['PORT'] or 5432}/{settings['NAME']}"
        )
    else:
        env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, str(STORM), "60", "20"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    # Five, and one more each time a delay (2, 4, 8 … seconds) ran out while the storm lasted:
    # on a busy machine 60 requests can take longer than the first delay.
    later = _delays_within(outcome["login_seconds"])
    checked = outcome["passwords_checked"]
    assert 5 <= checked <= 5 + later, outcome
    assert sorted(outcome["login_statuses"]) == [400] * checked + [429] * (60 - checked)
    assert outcome["accounts_made"] == 3
    assert sorted(outcome["signup_statuses"]) == [302] * 3 + [429] * 17
