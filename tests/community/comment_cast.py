"""Small helpers the comment tests share: readers old enough not to be rate-limited, and
comments posted through the same service the web form calls."""

from __future__ import annotations

import html
from datetime import timedelta
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ficarchive.accounts.models import User
from ficarchive.community.comments import CommentInput, post_comment
from ficarchive.community.models import Comment
from ficarchive.works.models import Work
from ficarchive.works.queries import with_blurb_data
from tests.cast import make_user


def make_reader(name: str = "reader") -> User:
    """A reader whose account is a month old (new accounts are rate-limited)."""
    user = make_user(name)
    user.date_joined = timezone.now() - timedelta(days=30)
    user.save(update_fields=["date_joined"])
    return user


def loaded(work: Work) -> Work:
    return with_blurb_data(Work.objects.all()).get(pk=work.pk)


def comment_on(
    work: Work, user: Any, body: str = "Loved it.", *, parent: Comment | None = None, **fields: Any
) -> Comment:
    data = CommentInput(body=body, parent_id=parent.pk if parent else None, **fields)
    return post_comment(loaded(work), user, data, address="192.0.2.1")


def post_form(client: Client, work: Work, body: str = "Loved it.", **fields: Any) -> Any:
    return client.post(reverse("community:comment_new", args=[work.pk]), {"body": body, **fields})


def text(response: Any) -> str:
    """The page as a reader reads it: entities such as &#x27; turned back into characters."""
    return html.unescape(str(response.content.decode()))
