from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete


def _forget_account_exports(sender: Any, instance: Any, **kwargs: Any) -> None:
    from ficarchive.exports.account_export import forget_user

    forget_user(instance.pk)


def _forget_downloads(sender: Any, work_id: int, **kwargs: Any) -> None:
    from ficarchive.exports.services import forget_work

    forget_work(work_id)


class ExportsConfig(AppConfig):
    name = "ficarchive.exports"
    label = "exports"
    verbose_name = "Exports"

    def ready(self) -> None:
        # The built-in download formats register themselves when imported.
        import ficarchive.exports.builtin  # noqa: F401

        # The background jobs that make big downloads and account exports register themselves
        # on import.
        from ficarchive.accounts.models import User
        from ficarchive.exports import account_export, services  # noqa: F401
        from ficarchive.works import events

        # A changed work's files are replaced as they are next asked for (their names hold the
        # revision); a deleted work's are all removed.
        events.work_deleted.connect(_forget_downloads, dispatch_uid="exports-forget")
        # A deleted account's data exports go with it.
        post_delete.connect(
            _forget_account_exports, sender=User, dispatch_uid="exports-forget-account"
        )
