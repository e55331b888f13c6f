"""Proposed changes (agreements.Revision): every role reads them in its scope. Nobody gets to
add, change or delete them by hand: editors propose through the change pages, and reviewers
approve or reject with the right to publish (agreements.revisions)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PROVINCE_ADMINISTRATOR = "Quản trị tỉnh"
EDITOR = "Cán bộ nhập liệu"
REVIEWER = "Người duyệt đăng"
LEADER = "Lãnh đạo"
SEE = ["view_revision"]
GRANTS = dict.fromkeys((PROVINCE_ADMINISTRATOR, EDITOR, REVIEWER, LEADER), SEE)


def _permissions(apps):
    return apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="agreements", codename__in=SEE
    )


def grant(apps, schema_editor):
    # Django creates permissions after the last migration: on a new database, not yet.
    app_config = apps.get_app_config("agreements")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=GRANTS):
        group.permissions.add(*_permissions(apps))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=GRANTS):
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0019_keyset_pages"),
        ("agreements", "0013_revisions"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
