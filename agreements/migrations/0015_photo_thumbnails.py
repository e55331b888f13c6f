"""A photo's thumbnail (Photo.thumbnail), made when the photo is saved, for the admin's lists;
made here for the photos already stored (a photo whose file is missing is left without one,
and its list row shows no image).

SQLite adds the column by rebuilding agreements_photo, which drops the trigger of 0006: it is
made again after (see 0006).
"""

import importlib

from django.db import migrations, models

import agreements.uploads

SAME_AGREEMENT = importlib.import_module(
    "agreements.migrations.0006_parts_belong_to_their_agreement"
)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        SAME_AGREEMENT.backwards(apps, schema_editor)


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        SAME_AGREEMENT.backwards(apps, schema_editor)
        SAME_AGREEMENT.forwards(apps, schema_editor)


def make_thumbnails(apps, schema_editor):
    Photo = apps.get_model("agreements", "Photo")
    photos = Photo.objects.using(schema_editor.connection.alias).exclude(image="")
    for pk in list(photos.filter(thumbnail="").values_list("pk", flat=True)):
        photo = photos.get(pk=pk)
        try:
            content = agreements.uploads.thumbnail_of(photo.image)
        except agreements.uploads.STORAGE_ERRORS:  # lost, or not an image the site wrote
            continue
        photo.thumbnail.save("thumbnail.webp", content, save=False)
        Photo.objects.filter(pk=photo.pk).update(thumbnail=photo.thumbnail.name)


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0014_english_names"),
    ]

    operations = [
        migrations.RunPython(drop_triggers, create_triggers, elidable=False),
        migrations.AddField(
            model_name="photo",
            name="thumbnail",
            field=models.ImageField(
                blank=True,
                editable=False,
                upload_to=agreements.uploads.thumbnail_upload_to,
                verbose_name="thumbnail",
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
        migrations.RunPython(make_thumbnails, migrations.RunPython.noop, elidable=False),
    ]
