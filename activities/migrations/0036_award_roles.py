"""The merit register's roles: everyone reads it; province administrators and reviewers, whose
saves need no review, keep it for the agreements in their scope."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PROVINCE_ADMINISTRATOR = "Quản trị tỉnh"
EDITOR = "Cán bộ nhập liệu"
REVIEWER = "Người duyệt đăng"
LEADER = "Lãnh đạo"
MODELS = ("award", "awardrecipient")
# The history of an award's justifying activities is a model of its own (simple-history).
SEE = [f"view_{m}" for m in (*MODELS, *(f"historical{m}" for m in MODELS))] + [
    "view_historicalaward_activities"
]
KEEP = [f"{action}_{m}" for m in MODELS for action in ("add", "change", "delete")]
GRANTS = {
    PROVINCE_ADMINISTRATOR: [*SEE, *KEEP],
    REVIEWER: [*SEE, *KEEP],
    EDITOR: SEE,
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
    dependencies = [("activities", "0035_merit_register")]

    operations = [migrations.RunPython(forwards, backwards)]
