"""Every archive starts with AO3's official ratings, archive warnings and categories."""

from django.db import migrations

OFFICIAL = {
    "rating": (
        "Not Rated",
        "General Audiences",
        "Teen And Up Audiences",
        "Mature",
        "Explicit",
    ),
    "warning": (
        "Creator Chose Not To Use Archive Warnings",
        "No Archive Warnings Apply",
        "Graphic Depictions Of Violence",
        "Major Character Death",
        "Rape/Non-Con",
        "Underage Sex",
    ),
    "category": ("F/F", "F/M", "Gen", "M/M", "Multi", "Other"),
}


def create_official_tags(apps, schema_editor):
    Tag = apps.get_model("tags", "Tag")
    for tag_type, names in OFFICIAL.items():
        for name in names:
            Tag.objects.get_or_create(name=name, defaults={"type": tag_type, "canonical": True})


class Migration(migrations.Migration):
    dependencies = [("tags", "0001_initial")]
    operations = [migrations.RunPython(create_official_tags, migrations.RunPython.noop)]
