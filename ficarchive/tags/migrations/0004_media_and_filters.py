"""AO3's media tags, and the filter table filled for the works that exist already.

Before this migration no tag had parents, so a work is found under each of its tags, or under
the canonical tag a synonym stands for.
"""

from django.db import migrations

MEDIA = (
    "Anime & Manga",
    "Books & Literature",
    "Cartoons & Comics & Graphic Novels",
    "Celebrities & Real People",
    "Movies",
    "Music & Bands",
    "Other Media",
    "Theater",
    "TV Shows",
    "Video Games",
    "Uncategorized Fandoms",
)


def create_media_tags(apps, schema_editor):
    Tag = apps.get_model("tags", "Tag")
    for name in MEDIA:
        if not Tag.objects.filter(name__iexact=name).exists():
            Tag.objects.create(name=name, type="media", canonical=True)


def fill_filter_table(apps, schema_editor):
    Work = apps.get_model("works", "Work")
    FilterTagging = apps.get_model("tags", "FilterTagging")
    rows = Work.tags.through.objects.values_list("work_id", "tag_id", "tag__merger")
    batch = []
    for work_id, tag_id, merger_id in rows.iterator(chunk_size=5000):
        batch.append(FilterTagging(work_id=work_id, filter_tag_id=merger_id or tag_id))
        if len(batch) >= 5000:
            FilterTagging.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    FilterTagging.objects.bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("tags", "0003_parents_and_filters")]
    operations = [
        migrations.RunPython(create_media_tags, migrations.RunPython.noop),
        migrations.RunPython(fill_filter_table, migrations.RunPython.noop),
    ]
