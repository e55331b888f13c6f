"""How often an agreement's parties meet to review it (Agreement.meeting_every): the cadence the
work list and the reminders read (activities.reports.cycle)."""

import importlib

from django.db import migrations, models

# SQLite adds the constraint by rebuilding agreements_agreement, which a trigger of 0002 names:
# dropped before, made again after (see 0002, 0014).
TWO_PARTIES = importlib.import_module(
    "agreements.migrations.0002_published_agreement_has_two_parties"
)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        TWO_PARTIES.backwards(apps, schema_editor)


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        TWO_PARTIES.forwards(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('agreements', '0015_photo_thumbnails'),
    ]

    operations = [
        migrations.RunPython(drop_triggers, create_triggers, elidable=False),
        migrations.AddField(
            model_name='agreement',
            name='meeting_every',
            field=models.PositiveSmallIntegerField(blank=True, choices=[(3, 'Every three months'), (6, 'Every six months'), (12, 'Every year')], help_text='How often the parties meet to review the agreement. Left empty, no meeting is expected and none is reminded.', null=True, verbose_name='review meetings'),
        ),
        migrations.AddField(
            model_name='historicalagreement',
            name='meeting_every',
            field=models.PositiveSmallIntegerField(blank=True, choices=[(3, 'Every three months'), (6, 'Every six months'), (12, 'Every year')], help_text='How often the parties meet to review the agreement. Left empty, no meeting is expected and none is reminded.', null=True, verbose_name='review meetings'),
        ),
        migrations.AddConstraint(
            model_name='agreement',
            constraint=models.CheckConstraint(condition=models.Q(('meeting_every__isnull', True), ('meeting_every__in', [3, 6, 12]), _connector='OR'), name='agreements_agreement_meeting_every_valid', violation_error_message='Choose how often the parties meet.'),
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
