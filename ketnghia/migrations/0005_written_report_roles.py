"""Written reports: the staff who keep the record (province administrators, reviewers, editors
in their scope) write them and make their files; leaders read them and download the files.
Administrators and reviewers also delete them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PROVINCE_ADMINISTRATOR = "Quản trị tỉnh"
EDITOR = "Cán bộ nhập liệu"
REVIEWER = "Người duyệt đăng"
LEADER = "Lãnh đạo"
WRITE = ["view_writtenreport", "add_writtenreport", "change_writtenreport"]
GRANTS = {
    PROVINCE_ADMINISTRATOR: [*WRITE, "delete_writtenreport"],
    REVIEWER: [*WRITE, "delete_writtenreport"],
    EDITOR: WRITE,
    LEADER: ["view_writtenreport"],
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
        ("ketnghia", "0004_written_reports"),
        ("activities", "0037_activity_type_is_work"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
