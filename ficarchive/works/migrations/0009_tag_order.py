"""Tags keep the writer's order (issue 19): `Work.tags` goes through `WorkTag`, the table the
plain many-to-many field had, with a `position`. Tags already on works get positions in the
order they were shown until now, by name within each work."""

from django.db import migrations, models
import django.db.models.deletion


def number_existing_tags(apps, schema_editor):
    WorkTag = apps.get_model("works", "WorkTag")
    rows = WorkTag.objects.select_related("tag").order_by("work_id", "id")
    numbered, work_rows = [], []
    for row in rows.iterator(chunk_size=2000):
        if work_rows and row.work_id != work_rows[0].work_id:
            numbered.extend(_by_name(work_rows))
            work_rows = []
        work_rows.append(row)
        if len(numbered) >= 2000:
            WorkTag.objects.bulk_update(numbered, ["position"])
            numbered = []
    numbered.extend(_by_name(work_rows))
    WorkTag.objects.bulk_update(numbered, ["position"], batch_size=2000)


def _by_name(rows):
    """One work's tags numbered by name, ignoring case: the order its pages showed before."""
    rows.sort(key=lambda row: (row.tag.name.lower(), row.pk))
    for position, row in enumerate(rows):
        row.position = position
    return rows


class Migration(migrations.Migration):

    dependencies = [
        ("tags", "0001_initial"),
        ("works", "0008_chapter_drafts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The table stays: only Django's idea of it changes.
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="WorkTag",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("work", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="work_tags", to="works.work")),
                        ("tag", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="work_tags", to="tags.tag")),
                    ],
                    options={
                        "db_table": "works_work_tags",
                        "unique_together": {("work", "tag")},
                    },
                ),
                migrations.AlterField(
                    model_name="work",
                    name="tags",
                    field=models.ManyToManyField(blank=True, related_name="works", through="works.WorkTag", to="tags.tag"),
                ),
            ],
        ),
        migrations.AddField(
            model_name="worktag",
            name="position",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(number_existing_tags, migrations.RunPython.noop),
    ]
