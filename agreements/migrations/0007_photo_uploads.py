"""Photos are named by the server (agreements.uploads.photo_upload_to) and get a help text.

Neither changes the column (still varchar(100)), so the change is made to the migration state
only: on SQLite an AlterField would rebuild agreements_photo and drop its trigger
(agreements_photo_event_same_agreement, see 0006).
"""

import agreements.uploads
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('agreements', '0006_parts_belong_to_their_agreement'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='photo',
                    name='image',
                    field=models.ImageField(help_text='A JPEG, PNG or WebP photo. It is stored upright, without its location or other camera data, under a name the site gives it.', upload_to=agreements.uploads.photo_upload_to, verbose_name='image'),
                ),
            ],
            database_operations=[],
        ),
    ]
