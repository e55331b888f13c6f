"""Remits: province administrators see the whole province and assign the others' localities.

The other roles see what their account's localities cover (localities.scopes); a province-wide
reviewer or leader is given ``localities.whole_province`` on their account, or the role of
province administrator.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PROVINCE_ADMINISTRATOR = "Quản trị tỉnh"
EDITOR = "Cán bộ nhập liệu"
REVIEWER = "Người duyệt đăng"
LEADER = "Lãnh đạo"

GRANTS = {
    PROVINCE_ADMINISTRATOR: [
        "whole_province",
        "view_stafflocality",
        "add_stafflocality",
        "change_stafflocality",
        "delete_stafflocality",
    ],
    EDITOR: ["view_stafflocality"],
    REVIEWER: ["view_stafflocality"],
    LEADER: ["view_stafflocality"],
}


def grant(apps, schema_editor):
    # Django creates permissions after the last migration: on a new database, not yet.
    app_config = apps.get_app_config("localities")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="localities", codename__in=codenames
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
                    content_type__app_label="localities", codename__in=codenames
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0006_roles"),
        ("localities", "0003_staff_locality"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
