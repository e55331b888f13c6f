"""Approved periods (activities.PeriodApproval) in the roles: every role reads them; province
administrators approve, unlock and lock them again (activities.periods, which also asks for the
whole province in scope). README.md ("Roles") says so."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PROVINCE_ADMINISTRATOR = "Quản trị tỉnh"
EDITOR = "Cán bộ nhập liệu"
REVIEWER = "Người duyệt đăng"
LEADER = "Lãnh đạo"

SEE = ["view_periodapproval", "view_historicalperiodapproval"]
GRANTS = {
    PROVINCE_ADMINISTRATOR: [*SEE, "add_periodapproval", "change_periodapproval", "lock_period"],
    EDITOR: SEE,
    REVIEWER: SEE,
    LEADER: SEE,
}


def _permissions(apps, codenames):
    return apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="activities", codename__in=codenames
    )


def grant(apps, schema_editor):
    # Django creates permissions after the last migration: on a new database, not yet.
    app_config = apps.get_app_config("activities")
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
    dependencies = [("activities", "0029_approved_periods")]

    operations = [migrations.RunPython(grant, revoke)]
