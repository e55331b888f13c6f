"""Funders as records: Activity.funder, free text until now, becomes a link to a Funder.

Every non-empty text becomes a funder, one per name with diacritics, case and spaces aside
(localities.text.search_key): the first spelling met is kept, activities first (by id), then
the names found only in their history, so that no version loses its funder. Each activity and
each historical version is linked to its funder. Backwards, the text is the funder's name.

The kind of a funder is guessed from the first words of its name (KIND_BY_FIRST_WORDS: "Công
ty…" is an enterprise, "Quỹ…" an organisation…); any other is "other", for staff to correct.

The roles see funders; editors also add and correct them, province administrators also delete
them (GRANTS, as 0007 does for remits).

The text column is renamed, the link added beside it, the data moved, then the text dropped:
no step rebuilds activities_activity on SQLite going forwards. Going backwards SQLite rebuilds
it (adding a text column with a default, dropping a foreign key), which drops its triggers:
they are created again at the end, either way (see 0004).
"""

import importlib
import unicodedata

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models
from django.db.models import Min, OuterRef, Subquery

from localities.text import search_key, slugify

# Frozen here: a later change of the guess is a later migration. First words as search keys;
# the longest that begins the name decides ("hoi dong" is an agency, "hoi" an organisation).
KIND_BY_FIRST_WORDS = {
    **dict.fromkeys(
        ("cong ty", "cty", "tap doan", "ngan hang", "doanh nghiep", "hop tac xa", "htx"),
        "enterprise",
    ),
    **dict.fromkeys(
        ("quy", "hoi", "uy ban mat tran", "mat tran to quoc", "lien doan lao dong"),
        "organisation",
    ),
    **dict.fromkeys(
        ("uy ban nhan dan", "ubnd", "hoi dong nhan dan", "so", "bo", "benh vien", "su doan"),
        "agency",
    ),
    **dict.fromkeys(("cong an", "don bien phong", "bo chi huy"), "agency"),
    **dict.fromkeys(("ong", "ba", "gia dinh", "nha hao tam"), "individual"),
}

TRIGGERS = importlib.import_module("activities.migrations.0004_parts_belong_to_their_agreement")


def guess_kind(key):
    """The kind its name's first words tell ("cong ty abc" → enterprise), else "other"."""
    words = key.split()
    for n in range(len(words), 0, -1):
        kind = KIND_BY_FIRST_WORDS.get(" ".join(words[:n]))
        if kind:
            return kind
    return "other"


def text_to_funders(apps, schema_editor):
    Funder = apps.get_model("activities", "Funder")
    holders = [
        apps.get_model("activities", "Activity"),
        apps.get_model("activities", "HistoricalActivity"),
    ]
    spellings = {}  # search key → every text with that key, the first met first
    for model in holders:
        first_pk = "pk" if model._meta.model_name == "activity" else "history_id"
        rows = (
            model.objects.exclude(funder_text="")
            .values("funder_text")
            .annotate(first=Min(first_pk))
            .order_by("first")
        )
        for row in rows.iterator():
            written = row["funder_text"]
            key = search_key(written)
            if key:
                spellings.setdefault(key, []).append(written)
    slugs = set()
    for key, texts in spellings.items():
        name = " ".join(unicodedata.normalize("NFC", texts[0]).split())[:200]
        base = slugify(name)[:200] or "nha-tai-tro"
        slug, n = base, 2
        while slug in slugs:
            slug, n = f"{base}-{n}", n + 1
        slugs.add(slug)
        funder = Funder.objects.create(name=name, kind=guess_kind(key), search_key=key, slug=slug)
        for model in holders:
            model.objects.filter(funder_text__in=texts).update(funder=funder)


def funders_to_text(apps, schema_editor):
    Funder = apps.get_model("activities", "Funder")
    name = Subquery(Funder.objects.filter(pk=OuterRef("funder_id")).values("name")[:1])
    for model_name in ("Activity", "HistoricalActivity"):
        model = apps.get_model("activities", model_name)
        model.objects.filter(funder__isnull=False).update(funder_text=name)


# Funders are a shared list, as legal documents are: editors add and correct them (a new
# enterprise comes with the activity it paid for), province administrators also delete them.
PROVINCE_ADMINISTRATOR = "Quản trị tỉnh"
EDITOR = "Cán bộ nhập liệu"
REVIEWER = "Người duyệt đăng"
LEADER = "Lãnh đạo"
SEE = ["view_funder", "view_historicalfunder"]
GRANTS = {
    PROVINCE_ADMINISTRATOR: [*SEE, "add_funder", "change_funder", "delete_funder"],
    EDITOR: [*SEE, "add_funder", "change_funder"],
    REVIEWER: SEE,
    LEADER: SEE,
}


def grant(apps, schema_editor):
    # Django creates permissions after the last migration: on a new database, not yet.
    app_config = apps.get_app_config("activities")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label="activities", codename__in=codenames
                )
            )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label="activities", codename__in=codenames
                )
            )


def create_triggers(apps, schema_editor):
    """The triggers of 0004 on SQLite, whether or not a step rebuilt the table."""
    if schema_editor.connection.vendor == "sqlite":
        TRIGGERS.backwards(apps, schema_editor)
        TRIGGERS.forwards(apps, schema_editor)


HELP = "Only when someone other than the giver paid, e.g. an enterprise."
NAME_HELP = "In full, e.g. Công ty TNHH Xây dựng Thành Công."
SLUG_HELP = "Used in web addresses. Left empty, it is made from the name."
LOCALITY_HELP = "Only when the funder is itself a unit of the register, e.g. an agency."
KINDS = [
    ("enterprise", "Enterprise"),
    ("agency", "State agency or unit"),
    ("organisation", "Association, fund or other organisation"),
    ("individual", "Individual or benefactor"),
    ("other", "Other"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0009_latest_index"),
        ("localities", "0003_staff_locality"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Backwards, this runs last: after SQLite has rebuilt activities_activity.
        migrations.RunPython(migrations.RunPython.noop, create_triggers, elidable=False),
        migrations.CreateModel(
            name="Funder",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(help_text=NAME_HELP, max_length=200, verbose_name="name"),
                ),
                (
                    "kind",
                    models.CharField(choices=KINDS, max_length=20, verbose_name="kind"),
                ),
                (
                    "search_key",
                    models.CharField(editable=False, max_length=200, verbose_name="search key"),
                ),
                (
                    "slug",
                    models.SlugField(
                        blank=True,
                        help_text=SLUG_HELP,
                        max_length=220,
                        unique=True,
                        verbose_name="slug",
                    ),
                ),
                ("note", models.TextField(blank=True, verbose_name="note")),
                (
                    "locality",
                    models.ForeignKey(
                        blank=True,
                        help_text=LOCALITY_HELP,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="funders",
                        to="localities.locality",
                        verbose_name="unit of the register",
                    ),
                ),
            ],
            options={
                "verbose_name": "funder",
                "verbose_name_plural": "funders",
                "ordering": ["search_key", "id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "kind__in",
                                ["enterprise", "agency", "organisation", "individual", "other"],
                            )
                        ),
                        name="activities_funder_kind_valid",
                        violation_error_message="Choose a valid kind of funder.",
                    ),
                    models.UniqueConstraint(
                        fields=("search_key",),
                        name="activities_funder_name_unique",
                        violation_error_message=(
                            "There is already a funder of this name (diacritics and case aside)."
                        ),
                    ),
                    models.UniqueConstraint(
                        fields=("locality",),
                        name="activities_funder_locality_unique",
                        violation_error_message="This unit of the register is already a funder.",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="HistoricalFunder",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(help_text=NAME_HELP, max_length=200, verbose_name="name"),
                ),
                (
                    "kind",
                    models.CharField(choices=KINDS, max_length=20, verbose_name="kind"),
                ),
                (
                    "slug",
                    models.SlugField(
                        blank=True, help_text=SLUG_HELP, max_length=220, verbose_name="slug"
                    ),
                ),
                ("note", models.TextField(blank=True, verbose_name="note")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")],
                        max_length=1,
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
                        help_text=LOCALITY_HELP,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="localities.locality",
                        verbose_name="unit of the register",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical funder",
                "verbose_name_plural": "historical funders",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RunPython(grant, revoke),
        # The text, out of the way of the link (a column rename: no rebuild on SQLite).
        migrations.RenameField("activity", "funder", "funder_text"),
        migrations.RenameField("historicalactivity", "funder", "funder_text"),
        migrations.AddField(
            model_name="activity",
            name="funder",
            field=models.ForeignKey(
                blank=True,
                help_text=HELP,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="activities",
                to="activities.funder",
                verbose_name="funded by",
            ),
        ),
        migrations.AddField(
            model_name="historicalactivity",
            name="funder",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text=HELP,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="activities.funder",
                verbose_name="funded by",
            ),
        ),
        migrations.RunPython(text_to_funders, funders_to_text, elidable=False),
        migrations.RemoveField("activity", "funder_text"),
        migrations.RemoveField("historicalactivity", "funder_text"),
        migrations.RunPython(create_triggers, migrations.RunPython.noop, elidable=False),
    ]
