"""The shared list of commitment areas, in Vietnamese; staff may edit it afterwards."""

from django.db import migrations

AREAS = [
    (
        "xay-dung-dang",
        "Xây dựng Đảng, chính quyền và hệ thống chính trị",
        "Xây dựng Đảng bộ, chính quyền, MTTQ và các tổ chức chính trị - xã hội vững mạnh.",
    ),
    (
        "lanh-dao-quan-ly",
        "Kinh nghiệm lãnh đạo, chỉ đạo, quản lý",
        "Chia sẻ kinh nghiệm trong công tác lãnh đạo, chỉ đạo, quản lý.",
    ),
    (
        "doan-ket",
        "Tăng cường tình đoàn kết, gắn bó",
        "Tình đoàn kết, gắn bó giữa cán bộ, đảng viên và nhân dân.",
    ),
    (
        "san-xuat-khoa-hoc-ocop",
        "Phát triển sản xuất, khoa học kỹ thuật, OCOP",
        "Phát triển sản xuất, ứng dụng khoa học kỹ thuật, xây dựng sản phẩm OCOP.",
    ),
    (
        "van-hoa-the-thao",
        "Văn hóa, văn nghệ, thể dục - thể thao",
        "Giao lưu văn hóa - văn nghệ, thể dục - thể thao.",
    ),
    (
        "quoc-phong-an-ninh",
        "Quốc phòng - an ninh",
        "Bảo đảm, giữ vững quốc phòng - an ninh.",
    ),
    (
        "an-sinh-xa-hoi",
        "An sinh xã hội",
        "Chăm lo đời sống vật chất, tinh thần của người dân; hỗ trợ hộ nghèo, gia đình chính sách.",
    ),
]


def create(apps, schema_editor):
    CommitmentArea = apps.get_model("agreements", "CommitmentArea")
    for position, (slug, name, description) in enumerate(AREAS, start=1):
        CommitmentArea.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "position": position}
        )


def remove(apps, schema_editor):
    apps.get_model("agreements", "CommitmentArea").objects.filter(
        slug__in=[slug for slug, *_ in AREAS], commitments__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("agreements", "0002_published_agreement_has_two_parties")]

    operations = [migrations.RunPython(create, remove)]
