"""Error reports from the public: the province's administrators and the reviewers read and
answer them (view, change); administrators also delete them. Editors and leaders do not see
them: a report is about the whole site, not a locality in their charge."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PROVINCE_ADMINISTRATOR = "Quản trị tỉnh"
REVIEWER = "Người duyệt đăng"
GRANTS = {
    PROVINCE_ADMINISTRATOR: ["view_errorreport", "change_errorreport", "delete_errorreport"],
    REVIEWER: ["view_errorreport", "change_errorreport"],
}


def _permissions(apps, codenames):
    return apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="ketnghia", codename__in=codenames
    )


def grant(apps, schema_editor):
    # Django creates permissions after the last migration: on a new database, not yet.
    app_config = apps.get_app_config("ketnghia")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=GRANTS):
        group.permissions.add(*_permissions(apps, GRANTS[group.name]))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=GRANTS):
        group.permissions.remove(*_permissions(apps, GRANTS[group.name]))


class Migration(migrations.Migration):
    dependencies = [
        ("ketnghia", "0001_error_reports"),
        ("activities", "0021_dashboard_snapshots"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
