"""Who published or unpublished an agreement, and when; the permission to do it.

AlterModelOptions changes the migration state only: agreements_agreement is not rebuilt, so its
SQLite triggers stay (see 0007)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('agreements', '0008_history'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='agreement',
            options={'ordering': ['-signed_on', '-id'], 'permissions': [('publish_agreement', 'Can publish and unpublish agreements')], 'verbose_name': 'agreement', 'verbose_name_plural': 'agreements'},
        ),
        migrations.CreateModel(
            name='Publication',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(choices=[('published', 'Published'), ('unpublished', 'Unpublished')], max_length=20, verbose_name='action')),
                ('at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='at')),
                ('actor', models.ForeignKey(blank=True, help_text='Empty for a system job, such as loading the demo data.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='by')),
                ('agreement', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='publications', to='agreements.agreement', verbose_name='agreement')),
            ],
            options={
                'verbose_name': 'publication',
                'verbose_name_plural': 'publication log',
                'ordering': ['-at', '-id'],
                'constraints': [models.CheckConstraint(condition=models.Q(('action__in', ['published', 'unpublished'])), name='agreements_publication_action_valid', violation_error_message='Choose published or unpublished.')],
            },
        ),
    ]
