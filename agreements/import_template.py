"""The Excel file a clerk fills in to import agreements: the import's own headers and three
example rows, the seed articles' agreements (Báo Gia Lai, 27-12-2025 and 7-2023) as a clerk
would type them, so that the file imports as it is: on the demo data it changes nothing."""

import datetime

from django.utils.translation import gettext_lazy as _

from agreements.resources import AgreementResource
from localities.spreadsheets import ExcelTemplate

SIGNING_DATE_FROM_THE_ARTICLE = (
    " Ngày ký ghi theo ngày đăng bài báo (Báo Gia Lai, 27-12-2025); bài báo không nêu ngày ký."
)

# By field of AgreementResource. The first two leave the title and short name empty: they are
# made from the parties (the first keeps the address it already has).
EXAMPLES = [
    {
        "signed_on": "27/12/2025",
        "summary": "Giao ước kết nghĩa giữa xã Ia Dơk và phường An Nhơn Bắc, thực hiện theo Chỉ "
        "thị số 03-CT/TU ngày 7-8-2025 của Ban Thường vụ Tỉnh ủy và Kế hoạch số 43/KH-UBND ngày "
        "22-8-2025 của UBND tỉnh Gia Lai. Theo bản giao ước, hoạt động kết nghĩa giữa hai địa "
        "phương tập trung vào 5 nội dung." + SIGNING_DATE_FROM_THE_ARTICLE,
        "legal_basis": "03-CT/TU; 43/KH-UBND",
        "party_1": "Xã Ia Dơk",
        "party_2": "Phường An Nhơn Bắc",
    },
    {
        "signed_on": "27/12/2025",
        "summary": "Giao ước kết nghĩa giữa phường An Nhơn Bắc với làng Ghè (xã Ia Dơk), ký cùng "
        "dịp với giao ước giữa xã Ia Dơk và phường An Nhơn Bắc, theo Chỉ thị số 03-CT/TU và Kế "
        "hoạch số 43/KH-UBND. Phường An Nhơn Bắc phối hợp cùng xã Ia Dơk hỗ trợ làng Ghè."
        + SIGNING_DATE_FROM_THE_ARTICLE,
        "legal_basis": "03-CT/TU; 43/KH-UBND",
        "party_1": "21925",  # Phường An Nhơn Bắc, by its official code
        "party_2": "Làng Ghè, Xã Ia Dơk",
        "coordinator": "Xã Ia Dơk",
    },
    {
        "title": "Sư đoàn 320 – Thành phố Pleiku",
        "signed_on": datetime.date(2003, 7, 26),  # an Excel date cell
        "summary": "Xuất phát từ yêu cầu nhiệm vụ, truyền thống, mối quan hệ gắn kết giữa Sư đoàn "
        "320 với Đảng bộ, chính quyền, Nhân dân TP. Pleiku trong thời kỳ chiến tranh và được sự "
        "đồng ý của Bộ Tư lệnh Quân đoàn 3, Tỉnh ủy Gia Lai, ngày 26-7-2003, Sư đoàn 320 và TP. "
        "Pleiku ký kết giao ước kết nghĩa, nhằm gắn kết quân-dân, phối hợp, giúp đỡ nhau trong "
        "xây dựng đơn vị và địa phương ngày càng phát triển. Tháng 7-2023, hai bên tổng kết 20 "
        "năm kết nghĩa và ký chương trình phối hợp giai đoạn 2023-2033. Các nội dung phối hợp "
        "dưới đây là kết quả 20 năm do bài báo tổng kết nêu; bài báo không trích văn bản giao ước "
        "năm 2003 và không nêu người ký.",
        "slug": "su-doan-320-thanh-pho-pleiku-2003",
        "party_1": "Sư đoàn 320",
        "party_2": "Thành phố Pleiku",
    },
]

TEMPLATE = ExcelTemplate(AgreementResource, EXAMPLES, _("Agreements"), "mau-nhap-giao-uoc.xlsx")
