"""The four staff roles as groups: province administrator, editor, reviewer, leader.

README.md ("Roles") says who can do what. A user gets a role by joining its group; roles add
up (a reviewer who also corrects entries joins the editors too). Superusers can do everything.

This migration lives in `activities`, the app every other depends on, because it grants
permissions on the models of all three apps. The permissions are listed here, frozen, rather
than imported from the code: a later change of roles is a later migration.

Django creates permissions after the last migration (post_migrate), so on a new database they do
not exist yet: they are created first, the usual way, for the apps this migration needs.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

APPS = ("localities", "agreements", "activities")

PROVINCE_ADMINISTRATOR = "Quản trị tỉnh"
EDITOR = "Cán bộ nhập liệu"
REVIEWER = "Người duyệt đăng"
LEADER = "Lãnh đạo"

# What editors enter and correct, beyond seeing everything. They delete the rows of an
# agreement (a wrong party, a duplicate photo) and activities, never an agreement or a locality,
# and they cannot publish. Shared lists (commitment areas, activity types) are the province's.
EDITOR_CAN = {
    "localities": {"locality": ("add", "change")},
    "agreements": {
        "agreement": ("add", "change"),
        "party": ("add", "change", "delete"),
        "commitment": ("add", "change", "delete"),
        "programme": ("add", "change", "delete"),
        "event": ("add", "change", "delete"),
        "photo": ("add", "change", "delete"),
        "source": ("add", "change", "delete"),
        "legaldocument": ("add", "change"),
    },
    "activities": {"activity": ("add", "change", "delete")},
}

# Logs are written by the code, never by hand: nobody gets to add, change or delete their rows.
LOGS = ("publication",)


def _create_permissions(apps):
    for label in ("auth", *APPS):
        app_config = apps.get_app_config(label)
        app_config.models_module = True  # create_permissions skips apps without models
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def _is_log(model_name):
    return model_name.startswith("historical") or model_name in LOGS


def create_roles(apps, schema_editor):
    _create_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    in_apps = Permission.objects.filter(content_type__app_label__in=APPS).select_related(
        "content_type"
    )
    view_all = [p for p in in_apps if p.codename.startswith("view_")]
    administer = [
        p for p in in_apps if p.codename.startswith("view_") or not _is_log(p.content_type.model)
    ]
    administer += Permission.objects.filter(
        content_type__app_label="auth", codename__in=["view_user", "view_group"]
    )
    edit = [
        p
        for p in in_apps
        if p.codename.split("_", 1)[0]
        in EDITOR_CAN.get(p.content_type.app_label, {}).get(p.content_type.model, ())
    ]
    publish = Permission.objects.get(
        content_type__app_label="agreements", codename="publish_agreement"
    )

    roles = {
        PROVINCE_ADMINISTRATOR: administer,
        EDITOR: view_all + edit,
        REVIEWER: [*view_all, publish],
        LEADER: view_all,
    }
    for name, permissions in roles.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=[PROVINCE_ADMINISTRATOR, EDITOR, REVIEWER, LEADER]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0005_history"),
        ("agreements", "0009_publication"),
        ("localities", "0002_history"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
