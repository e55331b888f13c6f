"""The merit register (khen thưởng): awards given for the work of an agreement, and their
named recipients, with their history."""

import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0034_plan_item_restrict"),
        ("agreements", "0017_meeting_cadence_index"),
        ("localities", "0008_locality_or_unit"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Award",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "form",
                    models.CharField(
                        choices=[
                            ("order", "Order or medal"),
                            ("flag", "Emulation flag"),
                            ("merit", "Certificate of merit"),
                            ("commendation", "Certificate of commendation"),
                        ],
                        max_length=15,
                        verbose_name="form",
                    ),
                ),
                (
                    "level",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("state", "State"),
                            ("central", "Ministry or central body"),
                            ("province", "Province"),
                            ("district", "District (before July 2025)"),
                            ("commune", "Commune or ward"),
                            ("unit", "Military unit or agency"),
                        ],
                        help_text="The level of the authority that gives it, when known.",
                        max_length=10,
                        verbose_name="level",
                    ),
                ),
                (
                    "issuer",
                    models.CharField(
                        help_text="e.g. Chủ tịch UBND tỉnh Gia Lai.",
                        max_length=200,
                        verbose_name="given by",
                    ),
                ),
                (
                    "decision_number",
                    models.CharField(
                        blank=True,
                        help_text="e.g. 123/QĐ-UBND.",
                        max_length=50,
                        verbose_name="decision number",
                    ),
                ),
                ("decided_on", models.DateField(blank=True, null=True, verbose_name="date")),
                (
                    "date_precision",
                    models.CharField(
                        choices=[("day", "Day"), ("month", "Month only"), ("year", "Year only")],
                        default="day",
                        help_text="When the source gives only the month or the year, enter its first day.",
                        max_length=5,
                        verbose_name="date known to the",
                    ),
                ),
                (
                    "period_from",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(
                                1945, message="Enter a year from 1945 on."
                            ),
                            django.core.validators.MaxValueValidator(
                                2100, message="Enter a year up to 2100."
                            ),
                        ],
                        verbose_name="for the period from",
                    ),
                ),
                (
                    "period_to",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(
                                1945, message="Enter a year from 1945 on."
                            ),
                            django.core.validators.MaxValueValidator(
                                2100, message="Enter a year up to 2100."
                            ),
                        ],
                        verbose_name="to",
                    ),
                ),
                (
                    "reason",
                    models.TextField(
                        blank=True,
                        help_text="The achievement, as the decision words it.",
                        verbose_name="achievement",
                    ),
                ),
                (
                    "collectives",
                    models.PositiveIntegerField(
                        default=0,
                        help_text="How many collectives received it.",
                        verbose_name="collectives awarded",
                    ),
                ),
                (
                    "people",
                    models.PositiveIntegerField(
                        default=0,
                        help_text="How many people received it.",
                        verbose_name="people awarded",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "activities",
                    models.ManyToManyField(
                        blank=True,
                        help_text="The recorded activities of the agreement that the award recognises.",
                        related_name="awards",
                        to="activities.activity",
                        verbose_name="justifying activities",
                    ),
                ),
                (
                    "agreement",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="awards",
                        to="agreements.agreement",
                        verbose_name="agreement",
                    ),
                ),
                (
                    "event",
                    models.ForeignKey(
                        blank=True,
                        help_text="The conference where it was given, among the agreement's events.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="awards",
                        to="agreements.event",
                        verbose_name="at event",
                    ),
                ),
                (
                    "source",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="awards",
                        to="agreements.source",
                        verbose_name="source",
                    ),
                ),
            ],
            options={
                "verbose_name": "award",
                "verbose_name_plural": "merit register",
                "ordering": [
                    models.OrderBy(models.F("decided_on"), descending=True, nulls_last=True),
                    "-id",
                ],
            },
        ),
        migrations.CreateModel(
            name="AwardRecipient",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        blank=True,
                        help_text="A person, or a collective not in the register (e.g. Đoàn Thanh niên xã).",
                        max_length=200,
                        verbose_name="name",
                    ),
                ),
                (
                    "title",
                    models.CharField(blank=True, max_length=200, verbose_name="position held"),
                ),
                ("is_person", models.BooleanField(default=False, verbose_name="a person")),
                (
                    "public",
                    models.BooleanField(
                        default=False,
                        help_text="A person's name is public only when ticked; collectives always are.",
                        verbose_name="name shown to the public",
                    ),
                ),
                (
                    "award",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="recipients",
                        to="activities.award",
                        verbose_name="award",
                    ),
                ),
                (
                    "locality",
                    models.ForeignKey(
                        blank=True,
                        help_text="A commune, village, military unit or agency of the register.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="localities.locality",
                        verbose_name="unit or locality",
                    ),
                ),
            ],
            options={
                "verbose_name": "award recipient",
                "verbose_name_plural": "recipients",
                "ordering": ["id"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalAward",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "form",
                    models.CharField(
                        choices=[
                            ("order", "Order or medal"),
                            ("flag", "Emulation flag"),
                            ("merit", "Certificate of merit"),
                            ("commendation", "Certificate of commendation"),
                        ],
                        max_length=15,
                        verbose_name="form",
                    ),
                ),
                (
                    "level",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("state", "State"),
                            ("central", "Ministry or central body"),
                            ("province", "Province"),
                            ("district", "District (before July 2025)"),
                            ("commune", "Commune or ward"),
                            ("unit", "Military unit or agency"),
                        ],
                        help_text="The level of the authority that gives it, when known.",
                        max_length=10,
                        verbose_name="level",
                    ),
                ),
                (
                    "issuer",
                    models.CharField(
                        help_text="e.g. Chủ tịch UBND tỉnh Gia Lai.",
                        max_length=200,
                        verbose_name="given by",
                    ),
                ),
                (
                    "decision_number",
                    models.CharField(
                        blank=True,
                        help_text="e.g. 123/QĐ-UBND.",
                        max_length=50,
                        verbose_name="decision number",
                    ),
                ),
                ("decided_on", models.DateField(blank=True, null=True, verbose_name="date")),
                (
                    "date_precision",
                    models.CharField(
                        choices=[("day", "Day"), ("month", "Month only"), ("year", "Year only")],
                        default="day",
                        help_text="When the source gives only the month or the year, enter its first day.",
                        max_length=5,
                        verbose_name="date known to the",
                    ),
                ),
                (
                    "period_from",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(
                                1945, message="Enter a year from 1945 on."
                            ),
                            django.core.validators.MaxValueValidator(
                                2100, message="Enter a year up to 2100."
                            ),
                        ],
                        verbose_name="for the period from",
                    ),
                ),
                (
                    "period_to",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(
                                1945, message="Enter a year from 1945 on."
                            ),
                            django.core.validators.MaxValueValidator(
                                2100, message="Enter a year up to 2100."
                            ),
                        ],
                        verbose_name="to",
                    ),
                ),
                (
                    "reason",
                    models.TextField(
                        blank=True,
                        help_text="The achievement, as the decision words it.",
                        verbose_name="achievement",
                    ),
                ),
                (
                    "collectives",
                    models.PositiveIntegerField(
                        default=0,
                        help_text="How many collectives received it.",
                        verbose_name="collectives awarded",
                    ),
                ),
                (
                    "people",
                    models.PositiveIntegerField(
                        default=0,
                        help_text="How many people received it.",
                        verbose_name="people awarded",
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(blank=True, editable=False, verbose_name="created at"),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "agreement",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="agreements.agreement",
                        verbose_name="agreement",
                    ),
                ),
                (
                    "event",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="The conference where it was given, among the agreement's events.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="agreements.event",
                        verbose_name="at event",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "source",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="agreements.source",
                        verbose_name="source",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical award",
                "verbose_name_plural": "historical merit register",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalAward_activities",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("m2m_history_id", models.AutoField(primary_key=True, serialize=False)),
                (
                    "activity",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.activity",
                    ),
                ),
                (
                    "award",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.award",
                    ),
                ),
                (
                    "history",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        to="activities.historicalaward",
                    ),
                ),
            ],
            options={
                "verbose_name": "HistoricalAward_activities",
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalAwardRecipient",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        blank=True,
                        help_text="A person, or a collective not in the register (e.g. Đoàn Thanh niên xã).",
                        max_length=200,
                        verbose_name="name",
                    ),
                ),
                (
                    "title",
                    models.CharField(blank=True, max_length=200, verbose_name="position held"),
                ),
                ("is_person", models.BooleanField(default=False, verbose_name="a person")),
                (
                    "public",
                    models.BooleanField(
                        default=False,
                        help_text="A person's name is public only when ticked; collectives always are.",
                        verbose_name="name shown to the public",
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "award",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.award",
                        verbose_name="award",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "locality",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="A commune, village, military unit or agency of the register.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="localities.locality",
                        verbose_name="unit or locality",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical award recipient",
                "verbose_name_plural": "historical recipients",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddConstraint(
            model_name="award",
            constraint=models.CheckConstraint(
                condition=models.Q(("form__in", ["order", "flag", "merit", "commendation"])),
                name="activities_award_form_valid",
                violation_error_message="Choose a valid form of award.",
            ),
        ),
        migrations.AddConstraint(
            model_name="award",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "level__in",
                        ["", "state", "central", "province", "district", "commune", "unit"],
                    )
                ),
                name="activities_award_level_valid",
                violation_error_message="Choose a valid level.",
            ),
        ),
        migrations.AddConstraint(
            model_name="award",
            constraint=models.CheckConstraint(
                condition=models.Q(("collectives__gt", 0), ("people__gt", 0), _connector="OR"),
                name="activities_award_has_recipients",
                violation_error_message="Enter how many collectives or people received it.",
            ),
        ),
        migrations.AddConstraint(
            model_name="award",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("period_from__isnull", True),
                    ("period_to__isnull", True),
                    ("period_from__lte", models.F("period_to")),
                    _connector="OR",
                ),
                name="activities_award_period_in_order",
                violation_error_message="The period ends before it starts.",
            ),
        ),
        migrations.AddConstraint(
            model_name="award",
            constraint=models.CheckConstraint(
                condition=models.Q(("date_precision__in", ["day", "month", "year"])),
                name="activities_award_date_precision_valid",
                violation_error_message="Choose day, month or year.",
            ),
        ),
        migrations.AddConstraint(
            model_name="awardrecipient",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("locality__isnull", False), ("name", ""), ("is_person", False)),
                    models.Q(("locality__isnull", True), models.Q(("name", ""), _negated=True)),
                    _connector="OR",
                ),
                name="activities_award_recipient_one_of",
                violation_error_message="Choose a unit of the register, or enter a name; a person has a name.",
            ),
        ),
    ]
