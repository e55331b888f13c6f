"""Which activity types are works (công trình), listed one by one in a written report: the
houses, roads and water works among the types the project ships."""

from django.db import migrations, models

WORKS = ["nha-o", "sua-chua-duong", "duong-be-tong", "cong-trinh-nuoc"]


def forwards(apps, schema_editor):
    ActivityType = apps.get_model("activities", "ActivityType")
    ActivityType.objects.filter(slug__in=WORKS).update(is_work=True)


class Migration(migrations.Migration):
    dependencies = [("activities", "0036_award_roles")]

    operations = [
        migrations.AddField(
            model_name="activitytype",
            name="is_work",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "Houses, roads, water works…: each activity of the type is listed by name "
                    "among the main works of a written report."
                ),
                verbose_name="a work",
            ),
        ),
        migrations.AddField(
            model_name="historicalactivitytype",
            name="is_work",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "Houses, roads, water works…: each activity of the type is listed by name "
                    "among the main works of a written report."
                ),
                verbose_name="a work",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
