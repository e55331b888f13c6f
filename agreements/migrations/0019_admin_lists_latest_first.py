"""The admin's lists of events, programmes and sources across agreements, the latest first,
and their years: from an index of the day (its first and last entries), not a sort of every
row (75,000 events at national scale)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('agreements', '0018_programme_search_key'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='event',
            index=models.Index(fields=['held_on', 'id'], name='agreements_event_held'),
        ),
        migrations.AddIndex(
            model_name='programme',
            index=models.Index(fields=['starts_on', 'id'], name='agreements_programme_started'),
        ),
        migrations.AddIndex(
            model_name='source',
            index=models.Index(fields=['published_on', 'id'], name='agreements_source_published'),
        ),
    ]
