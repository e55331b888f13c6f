"""The work list's quiet agreements (activities.reports.cycle._dormant) from two indexes of the
activities' last day (the end, else the start): the agreements with an activity since a day,
read from the first alone, and each agreement's last day, one look at the second; not every
activity of every agreement in force, for each of them (0.4 s at national scale)."""

import django.db.models.functions.comparison
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('activities', '0040_search_reads_the_date_index'),
        ('agreements', '0018_programme_search_key'),
        ('localities', '0008_locality_or_unit'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='activity',
            index=models.Index(django.db.models.functions.comparison.Coalesce('ends_on', 'starts_on'), include=('agreement', 'starts_on', 'ends_on'), name='activities_last_day'),
        ),
        migrations.AddIndex(
            model_name='activity',
            index=models.Index(models.F('agreement'), models.OrderBy(django.db.models.functions.comparison.Coalesce('ends_on', 'starts_on'), descending=True), name='activities_agreement_last_day'),
        ),
    ]
