"""The Excel file a clerk fills in to import activities: the import's own headers and two
example rows taken from the seed articles, so that the file imports as it is."""

import datetime

from django.utils.translation import gettext_lazy as _

from activities.resources import ActivityResource, OutcomeValueResource
from localities.spreadsheets import ExcelTemplate

# The examples as a clerk would type them (Báo Gia Lai, 27-12-2025 and 7-2023), by column.
EXAMPLES = [
    {
        "agreement": "Xã Ia Dơk – Phường An Nhơn Bắc",
        "activity_type": "Hỗ trợ tiền",
        "status": "Đã thực hiện",
        "giver": "Phường An Nhơn Bắc",
        "recipient": "Xã Ia Dơk",
        "starts_on": "27/12/2025",
        "value_vnd": "30.000.000",
        "value_qualifier": "chính xác",
        "description": "Phường An Nhơn Bắc trao tặng xã Ia Dơk 30 triệu đồng.",
    },
    {
        "agreement": "su-doan-320-thanh-pho-pleiku-2003",
        "activity_type": "Xây dựng, sửa chữa nhà",
        "status": "Đã thực hiện",
        "recipient_detail": "Gia đình có công cách mạng, hộ nghèo",
        "starts_on": datetime.date(2003, 7, 26),
        "ends_on": "1/7/2023",
        "date_precision": "Chỉ biết tháng",
        "quantity": 8,
        "value_vnd": "500.000.000",
        "value_qualifier": "hơn",
        "description": "Phối hợp hỗ trợ xây dựng 8 căn nhà cho gia đình có công cách mạng, hộ "
        "nghèo với tổng trị giá hơn 500 triệu đồng.",
    },
]


TEMPLATE = ExcelTemplate(ActivityResource, EXAMPLES, _("Activities"), "mau-nhap-hoat-dong.xlsx")


def build_template():
    """The workbook's bytes: one header row, two example rows."""
    return TEMPLATE.build()


# The indicators' file: the import's headers alone. The seed articles give no indicator's value,
# and an example row would be a figure nobody published.
OUTCOMES_TEMPLATE = ExcelTemplate(OutcomeValueResource, [], _("Indicators"), "mau-nhap-chi-so.xlsx")
