"""The activities' date index holds the ids an admin search filters on (agreement, giver,
recipient, funder): a search's page of ids is read from the index alone, not from a row per
activity walked in date order (issue 16). PostgreSQL only; SQLite makes it without them."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('activities', '0039_need_roles'),
        ('agreements', '0018_programme_search_key'),
        ('localities', '0008_locality_or_unit'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='activity',
            name='activities_started',
        ),
        migrations.AddIndex(
            model_name='activity',
            index=models.Index(fields=['-starts_on', '-id'], include=('agreement', 'giver', 'recipient', 'funder'), name='activities_started'),
        ),
    ]
