"""Tags keep the writer's order within each type (issue 19): the first relationship is the
main one, as on AO3. Through the posting form, edits, the added suggestions and downloads."""

from __future__ import annotations

import re
import zipfile
from io import BytesIO

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ficarchive.accounts.models import User
from ficarchive.exports.formats import file_name
from ficarchive.tags.models import TagType
from ficarchive.works.models import Work
from ficarchive.works.queries import with_blurb_data
from ficarchive.works.services import add_tags
from tests.cast import make_user, make_work
from tests.markup import body

pytestmark = pytest.mark.django_db


def _post(client: Client, user: User, **overrides: str) -> Work:
    form: dict[str, object] = {
        "title": "Out of Order",
        "pseuds": [user.pseuds.get(is_default=True).pk],
        "rating": "Teen And Up Audiences",
        "warnings": ["No Archive Warnings Apply"],
        "fandoms": "Gilmore Girls, Veronica Mars",
        "relationships": "Zed/Yara, Amy/Bea",
        "characters": "Zed, Mo Kim, Amy",
        "freeforms": "Slow Burn, Angst",
        "language": "en",
        "text_format": "text",
        "body": "One.\n\nTwo.",
        "action": "post",
    }
    form.update(overrides)
    response = client.post(reverse("works:new"), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Work.objects.get(title=form["title"])


def _listed(html: str, kind: str) -> list[str]:
    """The tag names of one type in a work page's meta, in the order shown."""
    found = re.search(rf'<dd class="{kind} tags">(.*?)</dd>', html, re.S)
    assert found, f"no {kind} tags on the page"
    return re.findall(r'<a class="tag"[^>]*>([^<]+)</a>', found.group(1))


def test_the_work_page_shows_tags_in_the_order_they_were_typed(client: Client) -> None:
    author = make_user("author")
    client.force_login(author)
    work = _post(client, author)
    page = client.get(work.get_absolute_url()).content.decode()
    assert _listed(page, "relationship") == ["Zed/Yara", "Amy/Bea"]
    assert _listed(page, "character") == ["Zed", "Mo Kim", "Amy"]
    assert _listed(page, "fandom") == ["Gilmore Girls", "Veronica Mars"]
    assert _listed(page, "freeform") == ["Slow Burn", "Angst"]


def test_the_edit_form_fills_in_the_tags_in_their_order(client: Client) -> None:
    author = make_user("author")
    client.force_login(author)
    work = _post(client, author)
    form = client.get(reverse("works:edit", args=[work.pk])).content.decode()
    assert 'value="Zed/Yara, Amy/Bea"' in form
    assert 'value="Zed, Mo Kim, Amy"' in form


def test_an_edit_that_reorders_the_tags_shows_the_new_order(client: Client) -> None:
    author = make_user("author")
    client.force_login(author)
    work = _post(client, author)
    edit = {
        "title": "Out of Order",
        "pseuds": [author.pseuds.get(is_default=True).pk],
        "rating": "Teen And Up Audiences",
        "warnings": ["No Archive Warnings Apply"],
        "fandoms": "Gilmore Girls, Veronica Mars",
        "relationships": "Amy/Bea, Zed/Yara",
        "characters": "Amy, Zed, Mo Kim",
        "freeforms": "Slow Burn, Angst",
        "language": "en",
        "text_format": "text",
        "body": "One.\n\nTwo.",
        "action": "save",
    }
    response = client.post(reverse("works:edit", args=[work.pk]), edit)
    assert response.status_code == 302
    page = client.get(work.get_absolute_url()).content.decode()
    assert _listed(page, "relationship") == ["Amy/Bea", "Zed/Yara"]
    assert _listed(page, "character") == ["Amy", "Zed", "Mo Kim"]
    form = client.get(reverse("works:edit", args=[work.pk])).content.decode()
    assert 'value="Amy/Bea, Zed/Yara"' in form


def test_blurbs_show_tags_in_the_order_they_were_typed(client: Client) -> None:
    author = make_user("author")
    make_work(author, relationships=["Zed/Yara", "Amy/Bea"], characters=["Zed", "Amy"])
    listing = client.get(reverse("search:user_works", args=["author"])).content.decode()
    blurb = listing[listing.index('class="work blurb') :]
    assert blurb.index("Zed/Yara") < blurb.index("Amy/Bea")
    # Types keep AO3's order: relationships before characters.
    assert blurb.index("Amy/Bea") < blurb.index(">Zed<")


def test_downloads_keep_the_writer_s_tag_order(client: Client) -> None:
    author = make_user("author")
    work = make_work(
        author,
        title="Downloaded",
        relationships=["Zed/Yara", "Amy/Bea"],
        characters=["Zed", "Mo Kim", "Amy"],
    )
    name = file_name(work.title)
    epub = client.get(reverse("exports:download", args=[work.pk, name, "epub"]))
    archive = zipfile.ZipFile(BytesIO(body(epub)))
    opf = next(archive.read(n).decode() for n in archive.namelist() if n.endswith(".opf"))
    subjects = re.findall(r"<dc:subject>([^<]+)</dc:subject>", opf)
    assert [s for s in subjects if s in {"Zed/Yara", "Amy/Bea"}] == ["Zed/Yara", "Amy/Bea"]
    assert [s for s in subjects if s in {"Zed", "Mo Kim", "Amy"}] == ["Zed", "Mo Kim", "Amy"]
    html = body(client.get(reverse("exports:download", args=[work.pk, name, "html"]))).decode()
    assert html.index("Zed/Yara") < html.index("Amy/Bea")
    assert html.index(">Mo Kim<") < html.index(">Amy<")


def test_added_tags_come_after_the_tags_a_work_has(client: Client) -> None:
    work = make_work(make_user("author"), relationships=["Zed/Yara", "Amy/Bea"])
    add_tags(work, TagType.RELATIONSHIP, ["Cal/Dee", "Amy/Bea"])
    assert [tag.name for tag in Work.objects.get(pk=work.pk).relationships] == [
        "Zed/Yara",
        "Amy/Bea",
        "Cal/Dee",
    ]


def test_the_page_reads_the_tags_in_one_query_whatever_their_order() -> None:
    work = make_work(make_user("author"), relationships=["Zed/Yara", "Amy/Bea"])
    with CaptureQueriesContext(connection) as queries:
        loaded = with_blurb_data(Work.objects.filter(pk=work.pk)).get()
        names = [tag.name for tag in loaded.relationships] + loaded.warnings
    assert names[:2] == ["Zed/Yara", "Amy/Bea"]
    tag_queries = [q["sql"] for q in queries.captured_queries if "tags_tag" in q["sql"]]
    assert len(tag_queries) == 1
    # The prefetch and its order share one join with the work's tag rows.
    assert tag_queries[0].count(" JOIN ") == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_keeps_tags_already_on_works_in_the_order_they_were_shown() -> None:
    executor = MigrationExecutor(connection)
    before = [("works", "0008_chapter_drafts")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    work = old.get_model("works", "Work").objects.create(title="Old")
    tag_model = old.get_model("tags", "Tag")
    for name in ("zebra", "Apple", "mango"):
        work.tags.add(tag_model.objects.create(name=name, type=TagType.FREEFORM))
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    migrated = Work.objects.get(pk=work.pk)
    assert [tag.name for tag in migrated.freeforms] == ["Apple", "mango", "zebra"]
    positions = migrated.work_tags.order_by("tag__name").values_list("position", flat=True)
    assert list(positions) == [0, 1, 2]
