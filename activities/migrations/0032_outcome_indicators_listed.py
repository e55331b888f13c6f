"""The outcome indicators the province follows from the start (issue 12 names them): the poverty
rate, the new-rural status and the share of households with clean water; the province adds
others in the admin. Only the list: no value, which comes from the statistics office's
publications. And the roles: everyone reads them; editors enter values for the localities in
their charge; province administrators also keep the list."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

INDICATORS = [
    # name, name_en, unit, measure, description
    (
        "Tỷ lệ hộ nghèo",
        "Poverty rate",
        "%",
        "number",
        "Tỷ lệ hộ nghèo theo chuẩn nghèo đa chiều, theo kết quả rà soát hằng năm.",
    ),
    (
        "Nông thôn mới",
        "New-rural status",
        "",
        "status",
        "Mức đạt chuẩn nông thôn mới của xã: đạt chuẩn, nâng cao, kiểu mẫu, hoặc chưa đạt.",
    ),
    (
        "Tỷ lệ hộ dùng nước sạch",
        "Households with clean water",
        "%",
        "number",
        "Tỷ lệ hộ dân được sử dụng nước sạch theo quy chuẩn.",
    ),
]

PROVINCE_ADMINISTRATOR = "Quản trị tỉnh"
EDITOR = "Cán bộ nhập liệu"
REVIEWER = "Người duyệt đăng"
LEADER = "Lãnh đạo"
MODELS = ("outcomeindicator", "outcomevalue")
SEE = [f"view_{m}" for m in MODELS] + [f"view_historical{m}" for m in MODELS]
ENTER = [f"{action}_outcomevalue" for action in ("add", "change", "delete")]
KEEP = [f"{action}_outcomeindicator" for action in ("add", "change", "delete")]
GRANTS = {
    PROVINCE_ADMINISTRATOR: [*SEE, *ENTER, *KEEP],
    EDITOR: [*SEE, *ENTER],
    REVIEWER: SEE,
    LEADER: SEE,
}


def forwards(apps, schema_editor):
    OutcomeIndicator = apps.get_model("activities", "OutcomeIndicator")
    for position, (name, name_en, unit, measure, description) in enumerate(INDICATORS):
        OutcomeIndicator.objects.get_or_create(
            name=name,
            defaults={
                "name_en": name_en,
                "unit": unit,
                "measure": measure,
                "description": description,
                "position": position,
            },
        )
    app_config = apps.get_app_config("activities")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=GRANTS):
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="activities", codename__in=GRANTS[group.name]
            )
        )


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=GRANTS):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="activities", codename__in=GRANTS[group.name]
            )
        )


class Migration(migrations.Migration):
    dependencies = [("activities", "0031_outcome_indicators")]

    operations = [migrations.RunPython(forwards, backwards)]
