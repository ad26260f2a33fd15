"""Many log-ins and sign-ups from one address at the same moment, for test_throttle.py.

Run in a process of its own (`python storm.py LOGINS SIGNUPS`), against the database its
environment names: FICARCHIVE_DATA's SQLite file (migrated here) or DATABASE_URL (already
migrated). Each try runs in a thread of its own with its own connection, all released together
by a barrier. Prints one line of JSON: the statuses, how many passwords were really checked
(Django's `user_login_failed` signal, sent by every check that fails), how long the log-ins
took, and the accounts made.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

ADDRESS = "203.0.113.7"


def _together(count: int, attempt: Callable[[int], int]) -> tuple[list[int], float]:
    """The statuses of `count` attempts released at once, and the seconds they all took."""
    from django.db import connections

    barrier = threading.Barrier(count)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def run(number: int) -> None:
        try:
            barrier.wait()
            statuses.append(attempt(number))
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(number,)) for number in range(count)]
    for thread in threads[1:]:
        thread.start()
    started = time.monotonic()
    threads[0].start()  # the last to reach the barrier: all go from here
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return statuses, time.monotonic() - started


def main(logins: int, signups: int) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ficarchive.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.signals import user_login_failed
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from ficarchive.accounts.models import User
    from ficarchive.accounts.services import create_user

    setup_test_environment()  # the test client's host, as in the tests
    # Pages render without collectstatic's manifest, as in the tests (tests/conftest.py).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    if connection.vendor == "sqlite":
        call_command("migrate", verbosity=0)
    create_user("storm_owner", "correct horse battery staple")
    connection.close()

    checked: list[int] = []
    user_login_failed.connect(lambda **kwargs: checked.append(1), weak=False)

    def log_in(number: int) -> int:
        response = Client().post(
            reverse("accounts:login"),
            {"username": "storm_owner", "password": f"wrong guess {number}"},
            REMOTE_ADDR=ADDRESS,
        )
        return int(response.status_code)

    def sign_up(number: int) -> int:
        password = "a long enough passphrase"
        response = Client().post(
            reverse("accounts:signup"),
            {"username": f"storm{number}", "password": password, "password_again": password},
            REMOTE_ADDR=ADDRESS,
        )
        return int(response.status_code)

    login_statuses, login_seconds = _together(logins, log_in)
    signup_statuses, _ = _together(signups, sign_up)
    return {
        "login_statuses": login_statuses,
        "login_seconds": login_seconds,
        "passwords_checked": len(checked),
        "signup_statuses": signup_statuses,
        "accounts_made": User.objects.filter(username__startswith="storm").count() - 1,
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), int(sys.argv[2]))))
