"""The shared list of activity types with their units, in Vietnamese; staff may edit it."""

from django.db import migrations

TYPES = [
    ("tien-mat", "Hỗ trợ tiền", "đồng", "money"),
    ("qua-tang", "Quà tặng", "suất", "count"),
    ("nha-o", "Xây dựng, sửa chữa nhà", "căn", "count"),
    ("sua-chua-duong", "Tu sửa đường giao thông", "km", "length"),
    ("duong-be-tong", "Xây dựng đường bê tông", "km", "length"),
    ("cong-trinh-nuoc", "Công trình nước sinh hoạt", "công trình", "count"),
    ("kham-chua-benh", "Khám bệnh, cấp thuốc miễn phí", "lượt người", "count"),
    ("quan-ao", "Quần áo", "bộ", "count"),
    ("ngay-cong", "Ngày công lao động", "ngày công", "time"),
    ("hoc-bong", "Học bổng", "suất", "count"),
    ("giay-khen", "Giấy khen", "giấy khen", "count"),
    ("cay-giong-vat-nuoi", "Cây giống, vật nuôi", "con/cây", "count"),
]


def create(apps, schema_editor):
    ActivityType = apps.get_model("activities", "ActivityType")
    for position, (slug, name, unit, measure) in enumerate(TYPES, start=1):
        ActivityType.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "unit": unit, "measure": measure, "position": position},
        )


def remove(apps, schema_editor):
    apps.get_model("activities", "ActivityType").objects.filter(
        slug__in=[slug for slug, *_ in TYPES], activities__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
