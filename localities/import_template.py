"""The Excel file a clerk fills in to import villages: the import's own headers and an example
row, the seed article's Làng Ghè (Báo Gia Lai, 27-12-2025), so that the file imports as it is:
on the demo data it changes nothing."""

from django.utils.translation import gettext_lazy as _

from localities.resources import VillageResource
from localities.spreadsheets import ExcelTemplate

# By field of VillageResource.
EXAMPLES = [
    {
        "name": "Làng Ghè",
        "parent": "Xã Ia Dơk",
        "is_ethnic_minority_area": "Có",
        "note": "Làng thuộc xã Ia Dơk, vùng đồng bào dân tộc thiểu số; kết nghĩa với phường "
        "An Nhơn Bắc ngày 27-12-2025 (Báo Gia Lai).",
    },
]

TEMPLATE = ExcelTemplate(VillageResource, EXAMPLES, _("Villages"), "mau-nhap-thon-lang.xlsx")
