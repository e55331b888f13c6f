"""The Excel file a clerk fills in to import activities: the import's own headers and two
example rows taken from the seed articles, so that the file imports as it is."""

import datetime
import io

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from activities.resources import ActivityResource

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

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


def build_template():
    """The workbook's bytes: one header row, two example rows."""
    resource = ActivityResource()
    names = list(resource._meta.fields)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Activities")
    sheet.append([resource.fields[name].column_name for name in names])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for example in EXAMPLES:
        sheet.append([example.get(name, "") for name in names])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, datetime.date):
                cell.number_format = "DD/MM/YYYY"
    for letter in "ABCDEFGHIJKLMNOP"[: len(names)]:
        sheet.column_dimensions[letter].width = 22
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download(request):
    """Served by ActivityAdmin to those who may import activities."""
    response = HttpResponse(build_template(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="mau-nhap-hoat-dong.xlsx"'
    return response
