"""The needs board's roles (README, "Roles"): editors post a place's needs and a unit's offers
within their scope; province officers (administrators and reviewers, with the whole province in
their scope) turn an accepted offer into a draft agreement or a pledged activity; everyone
reads the board."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PROVINCE_ADMINISTRATOR = "Quản trị tỉnh"
EDITOR = "Cán bộ nhập liệu"
REVIEWER = "Người duyệt đăng"
LEADER = "Lãnh đạo"
MODELS = ("need", "offer")
SEE = [f"view_{m}" for m in (*MODELS, *(f"historical{m}" for m in MODELS))]
WRITE = [f"{action}_{m}" for m in MODELS for action in ("add", "change")]
DELETE = [f"delete_{m}" for m in MODELS]
CONVERT = ["convert_offer"]
GRANTS = {
    PROVINCE_ADMINISTRATOR: [*SEE, *WRITE, *DELETE, *CONVERT],
    EDITOR: [*SEE, *WRITE],
    REVIEWER: [*SEE, *CONVERT],
    LEADER: SEE,
}


def _permissions(apps, group_name):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(
        content_type__app_label="activities", codename__in=GRANTS[group_name]
    )


def forwards(apps, schema_editor):
    app_config = apps.get_app_config("activities")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=GRANTS):
        group.permissions.add(*_permissions(apps, group.name))


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=GRANTS):
        group.permissions.remove(*_permissions(apps, group.name))


class Migration(migrations.Migration):
    dependencies = [("activities", "0038_needs_board")]

    operations = [migrations.RunPython(forwards, backwards)]
