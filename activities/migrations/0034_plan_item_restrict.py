"""A plan item with recorded activities cannot be deleted (dropped with a reason instead):
Django's on_delete only, no change to the database."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0033_plan_year_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="activity",
            name="plan_item",
            field=models.ForeignKey(
                blank=True,
                help_text="The item of the agreement's annual plan this activity carries out.",
                null=True,
                on_delete=django.db.models.deletion.RESTRICT,
                related_name="activities",
                to="activities.planitem",
                verbose_name="plan item",
            ),
        ),
    ]
