"""Co-creators are invited, not credited (issue 14, finding 11): until the invited user accepts,
they are on no byline, profile, search, feed or download of the work, and may not edit it; the
inviting writer is told it is pending; the invited user accepts or declines."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ficarchive.accounts.models import User
from ficarchive.exports.formats import file_name
from ficarchive.search import services as search
from ficarchive.works.models import CreatorInvitation, Work
from ficarchive.works.services import WorkError, answer_invitation, invite_co_creators
from tests.cast import make_user, make_work
from tests.markup import body

pytestmark = pytest.mark.django_db


def _form(author: User, **changes: str) -> dict[str, str]:
    data = {
        "title": "Together Again",
        "pseuds": str(author.pseuds.get().pk),
        "rating": "General Audiences",
        "warnings": "No Archive Warnings Apply",
        "fandoms": "Gilmore Girls",
        "language": "en",
        "text_format": "text",
        "body": "They wrote it together.",
        "action": "post",
    }
    return {**data, **changes}


def _invited_by_form(client: Client) -> tuple[User, User, Work]:
    author, coauthor = make_user("author"), make_user("coauthor")
    client.force_login(author)
    response = client.post(reverse("works:new"), {**_form(author), "co_creators": "coauthor"})
    assert response.status_code == 302
    return author, coauthor, Work.objects.get()


def _text(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return body(response).decode()


def _everywhere_coauthor_could_show(client: Client, work: Work) -> dict[str, str]:
    search.index_work(work.pk)
    download = reverse("exports:download", args=[work.pk, file_name(work.title), "html"])
    return {
        "work page": _text(client, work.get_absolute_url()),
        "works list": _text(client, "/works"),
        "feed": _text(client, "/users/author/pseuds/author/works.atom"),
        "download": _text(client, download),
    }


def test_adding_a_co_creator_credits_no_one_until_they_accept(client: Client) -> None:
    _, coauthor, work = _invited_by_form(client)
    assert [p.user.username for p in work.creators] == ["author"]
    assert CreatorInvitation.objects.get().pseud.user == coauthor
    client.logout()
    for place, page in _everywhere_coauthor_could_show(client, work).items():
        assert "coauthor" not in page, place
    assert "Together Again" not in _text(client, "/search?q=creator:coauthor")
    assert "Together Again" not in _text(client, reverse("accounts:user", args=["coauthor"]))
    client.force_login(coauthor)
    assert client.get(reverse("works:edit", args=[work.pk])).status_code == 403


def test_the_inviting_writer_is_told_the_invitation_is_pending(client: Client) -> None:
    author = make_user("author")
    make_user("coauthor")
    client.force_login(author)
    response = client.post(
        reverse("works:new"), {**_form(author), "co_creators": "coauthor"}, follow=True
    )
    assert "Co-creator invitation sent to coauthor" in response.content.decode()
    edit = _text(client, reverse("works:edit", args=[Work.objects.get().pk]))
    assert "Invited, waiting for an answer: coauthor." in edit


def test_the_invited_user_sees_the_request_and_accepting_credits_them(client: Client) -> None:
    _, coauthor, work = _invited_by_form(client)
    client.force_login(coauthor)
    assert "1 co-creator request waiting" in _text(client, "/users/coauthor/works/drafts")
    requests_url = reverse("works:co_creator_requests", args=["coauthor"])
    assert requests_url in _text(client, reverse("accounts:user", args=["coauthor"]))
    page = _text(client, requests_url)
    assert "Together Again" in page
    assert "from author" in page
    invitation = CreatorInvitation.objects.get()
    response = client.post(requests_url, {"invitation": invitation.pk, "answer": "accept"})
    assert response.status_code == 302
    assert [p.user.username for p in work.creators] == ["author", "coauthor"]
    assert not CreatorInvitation.objects.exists()
    assert client.get(reverse("works:edit", args=[work.pk])).status_code == 200
    client.logout()
    shown = _everywhere_coauthor_could_show(client, work)
    for place in ("work page", "works list", "feed", "download"):
        assert "coauthor" in shown[place], place
    assert "Together Again" in _text(client, "/search?q=creator:coauthor")
    assert "Together Again" in _text(client, reverse("accounts:user", args=["coauthor"]))


def test_declining_leaves_the_work_as_it_was(client: Client) -> None:
    _, coauthor, work = _invited_by_form(client)
    stamp = Work.objects.get().content_stamp
    client.force_login(coauthor)
    url = reverse("works:co_creator_requests", args=["coauthor"])
    invitation = CreatorInvitation.objects.get()
    client.post(url, {"invitation": invitation.pk, "answer": "decline"})
    assert not CreatorInvitation.objects.exists()
    assert [p.user.username for p in work.creators] == ["author"]
    assert Work.objects.get().content_stamp == stamp
    assert "No one has asked you" in _text(client, url)


def test_no_one_else_can_see_or_answer_an_invitation(client: Client) -> None:
    _invited_by_form(client)
    invitation = CreatorInvitation.objects.get()
    stranger = make_user("stranger")
    client.force_login(stranger)
    assert client.get(reverse("works:co_creator_requests", args=["coauthor"])).status_code == 404
    own = reverse("works:co_creator_requests", args=["stranger"])
    response = client.post(own, {"invitation": invitation.pk, "answer": "accept"})
    assert response.status_code == 400
    assert "no such co-creator invitation" in response.content.decode()
    assert CreatorInvitation.objects.exists()
    with pytest.raises(WorkError):
        answer_invitation(stranger, invitation.pk, accept=True)
    bad = client.post(own, {"invitation": "x", "answer": "maybe"})
    assert bad.status_code == 400


def test_editing_keeps_accepted_co_creators_and_invites_new_ones(client: Client) -> None:
    author, coauthor, third = make_user("author"), make_user("coauthor"), make_user("third")
    work = make_work(author, coauthor, title="Shared")
    client.force_login(author)
    edit = reverse("works:edit", args=[work.pk])
    response = client.post(edit, {**_form(author, title="Shared"), "co_creators": "third"})
    assert response.status_code == 302
    assert [p.user.username for p in work.creators] == ["author", "coauthor"]
    assert CreatorInvitation.objects.get().pseud.user == third


def test_inviting_twice_or_inviting_a_creator_sends_nothing_new() -> None:
    author, coauthor = make_user("author"), make_user("coauthor")
    work = make_work(author, title="Once")
    pseud = coauthor.pseuds.get()
    assert invite_co_creators(work, [pseud, pseud], author) == [pseud]
    assert invite_co_creators(work, [pseud, author.pseuds.get()], author) == []
    assert CreatorInvitation.objects.count() == 1


def test_the_form_names_an_unknown_or_own_co_creator_and_posts_nothing(client: Client) -> None:
    author = make_user("author")
    client.force_login(author)
    for name, message in [
        ("nobody", "There is no user &#x27;nobody&#x27; to invite."),
        ("Author", "&#x27;author&#x27; is your own account: you cannot invite yourself."),
    ]:
        response = client.post(reverse("works:new"), {**_form(author), "co_creators": name})
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not Work.objects.exists()
