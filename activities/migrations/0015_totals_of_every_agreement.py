from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0014_agreement_dates"),
    ]

    # The every-year rows of givers and recipients not published now hold every agreement
    # (province staff's top lists), not the drafts alone: emptied here, all rows are rebuilt
    # after `migrate` by activities.reports.summaries.fill_if_empty.
    operations = [
        migrations.RunSQL(
            "DELETE FROM activities_activitysummary", reverse_sql=migrations.RunSQL.noop
        ),
    ]
