"""The two seed articles (Báo Gia Lai, 7-2023 and 27-12-2025) as demo data: `manage.py load_demo`.

Every fact below comes from those articles, in their words; where an article leaves a fact out
(a signatory, the day of a month), the field stays empty or the text says which date stands in.

The loader matches existing rows by natural keys (official code; kind, parent and name; number and
date; agreement and parties; agreement, type, date and description…) and only creates what is
missing: a second run creates nothing and changes nothing, and rows staff have corrected since are
left as they are. It lives in `activities` because it writes to all three apps.
"""

import colorsys
import datetime
import hashlib
import io
from collections import Counter

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont

from activities.models import (
    Activity,
    ActivityStatus,
    ActivityType,
    Award,
    AwardForm,
    Qualifier,
)
from agreements.models import (
    Agreement,
    Commitment,
    CommitmentArea,
    DatePrecision,
    Event,
    EventKind,
    LegalDocument,
    LegalDocumentKind,
    Party,
    PartyRole,
    Photo,
    Programme,
    Source,
)
from agreements.services import complete_agreement, publish_agreement
from localities import text
from localities.models import Locality, LocalityKind
from localities.services import import_register

PROVINCE_CODE = "52"  # Tỉnh Gia Lai

# Units of the official register, by official code (localities/data/register-*.json).
REGISTER = {
    "gia-lai": "52",
    "ia-dok": "23869",  # Xã Ia Dơk
    "an-nhon-bac": "21925",  # Phường An Nhơn Bắc
    "bien-ho": "23590",  # Xã Biển Hồ (2025 catalogue)
    "pleiku": "622",  # Thành phố Pleiku, district level until 30-6-2025 (a former unit)
}

ARTICLE_2025 = datetime.date(2025, 12, 27)
# The 2023 article is dated July 2023 and names no day: the 1st stands for the month wherever the
# models need a day (the conference, the article, the end of the 20-year period).
JULY_2023 = datetime.date(2023, 7, 1)
SIGNED_2003 = datetime.date(2003, 7, 26)
PUBLISHER = "Báo Gia Lai"
CREDIT = "Đức Hải"
DASH = "\N{EN DASH}"  # between name and title, one person a line (Event.participants)

# Localities the register does not hold. Matched by (kind, parent, name); the slug is only used
# when creating, and says where the unit lies (other provinces have a "Xã Tân Sơn" too).
LOCALITIES = [
    {
        "key": "lang-ghe",
        "name": "Làng Ghè",
        "kind": LocalityKind.VILLAGE,
        "parent": "ia-dok",
        "slug": "lang-ghe-xa-ia-dok",
        "is_ethnic_minority_area": True,
        "note": "Làng thuộc xã Ia Dơk, vùng đồng bào dân tộc thiểu số; kết nghĩa với phường "
        "An Nhơn Bắc ngày 27-12-2025 (Báo Gia Lai).",
    },
    {
        "key": "su-doan-320",
        "name": "Sư đoàn 320",
        "kind": LocalityKind.MILITARY_UNIT,
        # No parent: "belongs to" is the administrative chain that reports sum over, and a
        # division is not a unit of the province (its chain of command is Quân đoàn 3).
        "parent": None,
        "slug": "su-doan-320",
        "note": "Đơn vị quân đội. Ngày 26-7-2003, được sự đồng ý của Bộ Tư lệnh Quân đoàn 3, "
        "Tỉnh ủy Gia Lai, Sư đoàn 320 và TP. Pleiku ký kết giao ước kết nghĩa (Báo Gia Lai, "
        "7-2023). Không xếp dưới tỉnh Gia Lai: đơn vị quân đội không thuộc cấp hành chính "
        "của tỉnh.",
    },
    {
        "key": "tan-son",
        "name": "Xã Tân Sơn",
        "kind": LocalityKind.COMMUNE,
        "parent": "pleiku",
        "slug": "xa-tan-son-tp-pleiku",
        "note": "Xã thuộc TP. Pleiku cũ, được nhắc trong bài báo tháng 7-2023 (quà tặng gia đình "
        "nghèo tại 2 xã Biển Hồ, Tân Sơn). Không còn trong danh mục đơn vị hành chính từ "
        "1-7-2025. Đơn vị đã giải thể hoặc sáp nhập, nhưng ngày chấm dứt và đơn vị kế thừa "
        "chưa có nguồn xác nhận nên để trống.",
    },
]

GOAL_43 = (
    "Tăng cường hoạt động kết nghĩa giữa các địa phương, đơn vị với các thôn, làng vùng đồng bào "
    "dân tộc thiểu số trên địa bàn tỉnh."
)
LEGAL_DOCUMENTS = [
    {
        "number": "03-CT/TU",
        "issued_on": datetime.date(2025, 8, 7),
        "kind": LegalDocumentKind.DIRECTIVE,
        "title": "Chỉ thị về tăng cường hoạt động kết nghĩa giữa các địa phương, đơn vị với các "
        "thôn, làng vùng đồng bào dân tộc thiểu số trên địa bàn tỉnh",
        "issuer": "Ban Thường vụ Tỉnh ủy Gia Lai",
        "slug": "03-ct-tu-2025",
        "summary": GOAL_43,
    },
    {
        "number": "43/KH-UBND",
        "issued_on": datetime.date(2025, 8, 22),
        "kind": LegalDocumentKind.PLAN,
        "title": "Kế hoạch về tăng cường hoạt động kết nghĩa giữa các địa phương, đơn vị với các "
        "thôn, làng vùng đồng bào dân tộc thiểu số trên địa bàn tỉnh",
        "issuer": "UBND tỉnh Gia Lai",
        "slug": "43-kh-ubnd-2025",
        "summary": GOAL_43,
    },
]

DATE_FROM_ARTICLE_2025 = (
    "Ngày ký ghi theo ngày đăng bài báo (Báo Gia Lai, 27-12-2025); bài báo không nêu ngày ký."
)
SOURCE_2025 = {
    "title": "Xã Ia Dơk và phường An Nhơn Bắc ký kết giao ước kết nghĩa; phường An Nhơn Bắc "
    "kết nghĩa với làng Ghè",
    "publisher": PUBLISHER,
    "published_on": ARTICLE_2025,
}
SOURCE_2023 = {
    "title": "Sư đoàn 320 và TP. Pleiku tổng kết 20 năm kết nghĩa (2003-2023), ký chương trình "
    "phối hợp giai đoạn 2023-2033 (bài đăng tháng 7-2023)",
    "publisher": PUBLISHER,
    # The article gives the month only; the 1st stands for July 2023.
    "published_on": JULY_2023,
    "date_precision": DatePrecision.MONTH,
}

# Which party gave what over 20 years is not said ("2 bên đã phối hợp"): the giver stays empty.
# The period ends in a month the article does not date to the day: the whole period is told to
# the month (7/2003 – 7/2023).
TWENTY_YEARS = {
    "starts_on": SIGNED_2003,
    "ends_on": JULY_2023,
    "date_precision": DatePrecision.MONTH,
    "giver": None,
}

AGREEMENTS = [
    {
        "key": "ia-dok-an-nhon-bac",
        "parties": [("ia-dok", PartyRole.PARTY), ("an-nhon-bac", PartyRole.PARTY)],
        "signed_on": ARTICLE_2025,
        "summary": "Giao ước kết nghĩa giữa xã Ia Dơk và phường An Nhơn Bắc, thực hiện theo Chỉ "
        "thị số 03-CT/TU ngày 7-8-2025 của Ban Thường vụ Tỉnh ủy và Kế hoạch số 43/KH-UBND ngày "
        "22-8-2025 của UBND tỉnh Gia Lai. Theo bản giao ước, hoạt động kết nghĩa giữa hai địa "
        "phương tập trung vào 5 nội dung. " + DATE_FROM_ARTICLE_2025,
        "legal_basis": ["03-CT/TU", "43/KH-UBND"],
        "commitments": [
            (
                "xay-dung-dang",
                "Hỗ trợ nhau trong xây dựng Đảng bộ, chính quyền, MTTQ và các tổ chức chính trị "
                "- xã hội vững mạnh.",
            ),
            ("lanh-dao-quan-ly", "Chia sẻ kinh nghiệm trong công tác lãnh đạo, chỉ đạo, quản lý."),
            (
                "doan-ket",
                "Tăng cường tình đoàn kết, gắn bó giữa cán bộ, đảng viên và nhân dân hai địa "
                "phương.",
            ),
            (
                "xay-dung-dang",
                "Trao đổi kinh nghiệm trong công tác xây dựng Đảng, xây dựng hệ thống chính trị "
                "trong sạch, vững mạnh.",
            ),
            (
                "san-xuat-khoa-hoc-ocop",
                "Chia sẻ kinh nghiệm trong phát triển sản xuất, ứng dụng khoa học kỹ thuật, xây "
                "dựng sản phẩm OCOP.",
            ),
            (
                "van-hoa-the-thao",
                "Tổ chức các hoạt động giao lưu văn hóa - văn nghệ, thể dục - thể thao.",
            ),
            (
                "quoc-phong-an-ninh",
                "Phối hợp trao đổi thông tin, kinh nghiệm trong công tác bảo đảm, giữ vững quốc "
                "phòng - an ninh.",
            ),
        ],
        "source": SOURCE_2025,
        "events": [
            {
                "key": "signing",
                "kind": EventKind.SIGNING,
                "title": "Lễ ký kết giao ước kết nghĩa giữa xã Ia Dơk và phường An Nhơn Bắc",
                "held_on": ARTICLE_2025,
                "description": DATE_FROM_ARTICLE_2025,
            },
        ],
        "programmes": [],
        "photos": [
            {
                "event": "signing",
                "caption": "Lãnh đạo xã Ia Dơk và phường An Nhơn Bắc ký kết giao ước kết nghĩa.",
            },
        ],
        "activities": [
            {
                "type": "tien-mat",
                "event": "signing",
                "starts_on": ARTICLE_2025,
                "giver": "an-nhon-bac",
                "recipient": "ia-dok",
                "value_vnd": 30_000_000,
                "description": "Phường An Nhơn Bắc trao tặng xã Ia Dơk 30 triệu đồng.",
            },
        ],
    },
    {
        "key": "an-nhon-bac-lang-ghe",
        "parties": [
            ("an-nhon-bac", PartyRole.PARTY),
            ("lang-ghe", PartyRole.PARTY),
            ("ia-dok", PartyRole.COORDINATOR),
        ],
        "signed_on": ARTICLE_2025,
        "summary": "Giao ước kết nghĩa giữa phường An Nhơn Bắc với làng Ghè (xã Ia Dơk), ký cùng "
        "dịp với giao ước giữa xã Ia Dơk và phường An Nhơn Bắc, theo Chỉ thị số 03-CT/TU và Kế "
        "hoạch số 43/KH-UBND. Phường An Nhơn Bắc phối hợp cùng xã Ia Dơk hỗ trợ làng Ghè. "
        + DATE_FROM_ARTICLE_2025,
        "legal_basis": ["03-CT/TU", "43/KH-UBND"],
        "commitments": [
            (
                "xay-dung-dang",
                "Hỗ trợ làng Ghè nâng cao vai trò, hiệu quả hoạt động của tổ chức Đảng và hệ "
                "thống chính trị ở cơ sở.",
            ),
            (
                "san-xuat-khoa-hoc-ocop",
                "Hỗ trợ bà con đẩy mạnh chuyển dịch cơ cấu cây trồng, vật nuôi, ứng dụng khoa học "
                "công nghệ vào sản xuất nhằm nâng cao năng suất, hiệu quả các loại cây trồng chủ "
                "lực như: cà phê, điều, cao su.",
            ),
            (
                "an-sinh-xa-hoi",
                "Tăng cường các hoạt động an sinh xã hội, chăm lo nâng cao đời sống vật chất, "
                "tinh thần cho người dân trong làng.",
            ),
        ],
        "source": SOURCE_2025,
        "events": [
            {
                "key": "signing",
                "kind": EventKind.SIGNING,
                "title": "Lễ ký kết giao ước kết nghĩa giữa phường An Nhơn Bắc với làng Ghè "
                "(xã Ia Dơk)",
                "held_on": ARTICLE_2025,
                "description": DATE_FROM_ARTICLE_2025,
            },
        ],
        "programmes": [],
        "photos": [
            {
                "event": "signing",
                "caption": "Lãnh đạo phường An Nhơn Bắc và làng Ghè ký kết giao ước kết nghĩa.",
            },
            {
                "event": "signing",
                "caption": "Phường An Nhơn Bắc tặng nhiều phần quà ý nghĩa cho người dân làng Ghè.",
            },
        ],
        "activities": [
            {
                "type": "tien-mat",
                "event": "signing",
                "starts_on": ARTICLE_2025,
                "giver": "an-nhon-bac",
                "recipient": "lang-ghe",
                "recipient_detail": "Bà con làng Ghè",
                "value_vnd": 50_000_000,
                "description": "Phường An Nhơn Bắc hỗ trợ bà con làng Ghè 50 triệu đồng.",
            },
            {
                "type": "qua-tang",
                "event": "signing",
                "starts_on": ARTICLE_2025,
                "giver": "an-nhon-bac",
                "recipient": "lang-ghe",
                "recipient_detail": "Người dân làng Ghè",
                # The article gives no number of gifts: the value is the figure.
                "value_vnd": 10_000_000,
                "description": "nhiều phần quà ý nghĩa",
            },
        ],
    },
    {
        "key": "su-doan-320-pleiku",
        "parties": [("su-doan-320", PartyRole.PARTY), ("pleiku", PartyRole.PARTY)],
        "signed_on": SIGNED_2003,
        "summary": "Xuất phát từ yêu cầu nhiệm vụ, truyền thống, mối quan hệ gắn kết giữa Sư đoàn "
        "320 với Đảng bộ, chính quyền, Nhân dân TP. Pleiku trong thời kỳ chiến tranh và được sự "
        "đồng ý của Bộ Tư lệnh Quân đoàn 3, Tỉnh ủy Gia Lai, ngày 26-7-2003, Sư đoàn 320 và TP. "
        "Pleiku ký kết giao ước kết nghĩa, nhằm gắn kết quân-dân, phối hợp, giúp đỡ nhau trong "
        "xây dựng đơn vị và địa phương ngày càng phát triển. Tháng 7-2023, hai bên tổng kết 20 "
        "năm kết nghĩa và ký chương trình phối hợp giai đoạn 2023-2033. Các nội dung phối hợp "
        "dưới đây là kết quả 20 năm do bài báo tổng kết nêu; bài báo không trích văn bản giao ước "
        "năm 2003 và không nêu người ký.",
        "legal_basis": [],
        "commitments": [
            (
                "xay-dung-dang",
                "Phối hợp tuyên truyền, vận động Nhân dân địa phương thực hiện đúng đường lối, chủ "
                "trương của Đảng, chính sách, pháp luật của Nhà nước.",
            ),
            (
                "an-sinh-xa-hoi",
                "Phối hợp trong phát triển kinh tế-xã hội, xây dựng nông thôn mới, xóa đói, giảm "
                "nghèo, thực hiện chính sách dân tộc, tôn giáo, chính sách xã hội.",
            ),
            ("doan-ket", "Củng cố tăng cường gắn kết giữa 2 đơn vị; gắn kết quân-dân."),
            (
                "quoc-phong-an-ninh",
                "Tham gia xây dựng, củng cố nền quốc phòng toàn dân, thế trận an ninh Nhân dân địa "
                "phương vững chắc, xây dựng đơn vị an toàn gắn với địa phương an toàn.",
            ),
        ],
        "source": SOURCE_2023,
        "events": [
            {
                "key": "signing",
                "kind": EventKind.SIGNING,
                "title": "Ký kết giao ước kết nghĩa giữa Sư đoàn 320 và TP. Pleiku",
                "held_on": SIGNED_2003,
                "description": "Được sự đồng ý của Bộ Tư lệnh Quân đoàn 3, Tỉnh ủy Gia Lai, ngày "
                "26-7-2003, Sư đoàn 320 và TP. Pleiku ký kết giao ước kết nghĩa.",
            },
            {
                "key": "review",
                "kind": EventKind.REVIEW,
                "title": "Hội nghị tổng kết 20 năm kết nghĩa giữa Sư đoàn 320 và TP. Pleiku "
                "(2003-2023)",
                "held_on": JULY_2023,
                "date_precision": DatePrecision.MONTH,
                "description": "Hội nghị tổng kết 20 năm kết nghĩa; hai bên ký kết chương trình "
                "phối hợp triển khai hoạt động kết nghĩa giai đoạn 2023-2033, trao 40 suất quà và "
                "20 giấy khen. Bài báo (Báo Gia Lai, tháng 7-2023) không nêu ngày họp. Những "
                "người dưới đây chủ trì hội nghị.",
                "participants": "\n".join(
                    f"{name} {DASH} {title}"
                    for name, title in [
                        (
                            "Trịnh Duy Thuân",
                            "Ủy viên Ban Thường vụ Tỉnh ủy, Bí thư Thành ủy Pleiku",
                        ),
                        ("Đỗ Việt Hưng", "Phó Bí thư Thành ủy, Chủ tịch UBND TP. Pleiku"),
                        ("Đại tá Triệu Trường Giang", "Chính ủy Sư đoàn 320"),
                        ("Đại tá Lê Văn Cương", "Sư đoàn trưởng Sư đoàn 320"),
                    ]
                ),
            },
        ],
        "programmes": [
            {
                "name": "Chương trình phối hợp triển khai hoạt động kết nghĩa giai đoạn 2023-2033",
                "starts_on": datetime.date(2023, 1, 1),
                "ends_on": datetime.date(2033, 12, 31),
                "signed_on": JULY_2023,
                "date_precision": DatePrecision.YEAR,
                "description": "Ký kết tại hội nghị tổng kết 20 năm kết nghĩa (tháng 7-2023), sau "
                "khi bàn bạc, đề xuất biện pháp, nội dung phối hợp trong thời gian tới. Bài báo "
                "chỉ nêu giai đoạn 2023-2033.",
            },
        ],
        "photos": [],
        "activities": [
            {
                **TWENTY_YEARS,
                "type": "nha-o",
                "quantity": 8,
                "value_vnd": 500_000_000,
                "value_qualifier": Qualifier.OVER,
                "recipient_detail": "Gia đình có công cách mạng, hộ nghèo",
                "description": "Phối hợp hỗ trợ xây dựng 8 căn nhà cho gia đình có công cách "
                "mạng, hộ nghèo với tổng trị giá hơn 500 triệu đồng.",
            },
            {
                **TWENTY_YEARS,
                "type": "kham-chua-benh",
                "quantity": 915,
                "recipient_detail": "Người dân",
                "description": "Khám, cấp phát thuốc chữa bệnh miễn phí cho 915 lượt người dân.",
            },
            {
                **TWENTY_YEARS,
                "type": "quan-ao",
                "quantity": 1700,
                "recipient_detail": "Các hộ nghèo",
                "description": "Quyên góp, tặng 1.700 bộ quần áo cho các hộ nghèo.",
            },
            {
                **TWENTY_YEARS,
                "type": "qua-tang",
                # "tổng số tiền trên 100 triệu đồng": no number of gifts, the value is the figure.
                "value_vnd": 100_000_000,
                "value_qualifier": Qualifier.OVER,
                "recipient_detail": "Gia đình chính sách, có công cách mạng, hộ nghèo",
                "description": "Thăm hỏi tặng quà gia đình chính sách, có công cách mạng, hộ nghèo "
                "nhân dịp lễ, Tết với tổng số tiền trên 100 triệu đồng.",
            },
            {
                **TWENTY_YEARS,
                "type": "sua-chua-duong",
                "quantity": 43,
                "description": "Tu sửa 43 km đường giao thông liên thôn.",
            },
            {
                **TWENTY_YEARS,
                "type": "duong-be-tong",
                "quantity": 7,
                "quantity_qualifier": Qualifier.OVER,
                "description": "Xây dựng hơn 7 km đường bê tông.",
            },
            {
                **TWENTY_YEARS,
                "type": "cong-trinh-nuoc",
                "quantity": 9,
                "recipient_detail": "Các làng đồng bào dân tộc thiểu số",
                "description": "tu sửa 9 giọt nước tại các làng đồng bào dân tộc thiểu số",
            },
            {
                **TWENTY_YEARS,
                "type": "ngay-cong",
                "quantity": 15000,
                "quantity_qualifier": Qualifier.NEARLY,
                # The article puts the labour days right after the water works ("… với gần 15.000
                # ngày công lao động"); whether they count for them alone is not said.
                "description": "Gần 15.000 ngày công lao động (bài báo nêu sau việc tu sửa 9 giọt "
                "nước tại các làng đồng bào dân tộc thiểu số).",
            },
            {
                "type": "qua-tang",
                "event": "review",
                "starts_on": JULY_2023,
                "date_precision": DatePrecision.MONTH,
                "giver": None,
                "quantity": 40,
                "beneficiaries": 40,
                # Recipients in two communes and in the division: no single recipient locality.
                "recipient_detail": "20 gia đình nghèo tại 2 xã Biển Hồ, Tân Sơn và 20 học sinh "
                "vượt khó là con em cán bộ, chiến sĩ của Sư đoàn 320",
                "description": "Lãnh đạo Sư đoàn 320 và TP. Pleiku trao 40 suất quà tại hội nghị "
                "tổng kết 20 năm kết nghĩa.",
            },
            {
                "type": "giay-khen",
                "event": "review",
                "starts_on": JULY_2023,
                "date_precision": DatePrecision.MONTH,
                "giver": None,
                "quantity": 20,
                "beneficiaries": 20,
                "recipient_detail": "10 tập thể và 10 cá nhân có thành tích xuất sắc trong 20 năm "
                "hoạt động kết nghĩa",
                "description": "UBND TP. Pleiku và Sư đoàn 320 trao tặng 20 giấy khen cho 10 tập "
                "thể và 10 cá nhân.",
            },
        ],
        # The merit register: the article counts the recipients and names none.
        "awards": [
            {
                "form": AwardForm.COMMENDATION,
                "issuer": "UBND TP. Pleiku và Sư đoàn 320",
                "decided_on": JULY_2023,
                "date_precision": DatePrecision.MONTH,
                "event": "review",
                "period_from": 2003,
                "period_to": 2023,
                "reason": "Thành tích xuất sắc trong 20 năm hoạt động kết nghĩa.",
                "collectives": 10,
                "people": 10,
                "activities": ["giay-khen"],  # the activity recording the same giving
            },
        ],
    },
]

# Every model the loader writes, in the order its report lists them.
MODELS = [
    Locality,
    LegalDocument,
    Agreement,
    Party,
    Commitment,
    Source,
    Event,
    Programme,
    Photo,
    Activity,
    Award,
]


class DemoError(Exception):
    """The register lacks a unit the demo needs (its file no longer lists that code)."""


def load_demo(stdout=None):
    """Load the register of Gia Lai and the seed articles' agreements; create only what is missing.

    Returns {"register": what import_register returned, "created": {model label: count}}.
    """
    created = Counter()
    with transaction.atomic():
        register = import_register(province=PROVINCE_CODE, stdout=stdout)
        places = _localities(created)
        documents = _legal_documents(created)
        for spec in AGREEMENTS:
            _agreement(spec, places, documents, created)
    return {
        "register": register,
        "created": {model._meta.label: created[model] for model in MODELS},
    }


def _get_or_create(model, created, key, defaults=None):
    """The row matching `key`, or a new one validated by full_clean (derived fields excluded)."""
    obj = model.objects.filter(**key).order_by("pk").first()
    if obj is None:
        obj = model(**key, **(defaults or {}))
        obj.full_clean(exclude=["search_key"])
        obj.save()
        created[model] += 1
    return obj


def _localities(created):
    places = {}
    for key, code in REGISTER.items():
        places[key] = Locality.objects.filter(code=code).first()
        if places[key] is None:
            raise DemoError(
                _("The register has no unit with code %(code)s; the demo needs it.")
                % {"code": code}
            )
    for spec in LOCALITIES:
        fields = dict(spec)
        key = fields.pop("key")
        parent = fields.pop("parent")
        parent = places[parent] if parent else None
        match = {"kind": fields.pop("kind"), "parent": parent, "name": fields.pop("name")}
        places[key] = _get_or_create(Locality, created, match, fields)
    return places


def _legal_documents(created):
    documents = {}
    for spec in LEGAL_DOCUMENTS:
        fields = dict(spec)
        match = {"number": fields.pop("number"), "issued_on": fields.pop("issued_on")}
        documents[match["number"]] = _get_or_create(LegalDocument, created, match, fields)
    return documents


def _find_agreement(spec, places):
    """The agreement signed by exactly these signing parties, if one exists (whatever its date:
    staff may have corrected it)."""
    signers = [places[key] for key, role in spec["parties"] if role == PartyRole.PARTY]
    found = Agreement.objects.all()
    for locality in signers:
        found = found.filter(parties__locality=locality, parties__role=PartyRole.PARTY)
    for agreement in found.order_by("pk").distinct():
        if agreement.parties.filter(role=PartyRole.PARTY).count() == len(signers):
            return agreement
    return None


def _agreement(spec, places, documents, created):
    agreement = _find_agreement(spec, places)
    if agreement is not None:
        # Loaded before: staff may since have corrected, removed or unpublished any of its
        # parts, so it is left as they left it. Only a placeholder file the storage lost (a
        # new MEDIA_ROOT) is drawn again.
        for photo in agreement.photos.filter(is_placeholder=True):
            _redraw_if_lost(photo)
        return agreement
    agreement = Agreement(signed_on=spec["signed_on"], summary=spec["summary"])
    agreement.full_clean(exclude=["search_key", "slug"])
    agreement.save()
    created[Agreement] += 1
    for position, (key, role) in enumerate(spec["parties"]):
        _get_or_create(
            Party,
            created,
            {"agreement": agreement, "locality": places[key]},
            {"role": role, "position": position},
        )
    complete_agreement(agreement)

    missing = {documents[number] for number in spec["legal_basis"]} - set(
        agreement.legal_basis.all()
    )
    if missing:
        agreement.legal_basis.add(*missing)

    areas = {area.slug: area for area in CommitmentArea.objects.all()}
    for position, (area, words) in enumerate(spec["commitments"]):
        _get_or_create(
            Commitment,
            created,
            {"agreement": agreement, "area": areas[area], "text": words},
            {"position": position},
        )

    source_fields = dict(spec["source"])
    source = _get_or_create(
        Source,
        created,
        {"agreement": agreement, "title": source_fields.pop("title")},
        source_fields,
    )

    events = {}
    for event_spec in spec["events"]:
        fields = dict(event_spec)
        key = fields.pop("key")
        match = {
            "agreement": agreement,
            "kind": fields.pop("kind"),
            "held_on": fields.pop("held_on"),
        }
        events[key] = _get_or_create(Event, created, match, fields)

    for programme in spec["programmes"]:
        fields = dict(programme)
        match = {"agreement": agreement, "name": fields.pop("name")}
        _get_or_create(Programme, created, match, fields)

    for position, photo in enumerate(spec["photos"], start=1):
        _photo(agreement, events[photo["event"]], photo["caption"], position, created)

    types = {t.slug: t for t in ActivityType.objects.all()}
    made = {}  # activity type's slug → the agreement's activities of that type
    for activity in spec["activities"]:
        fields = dict(activity)
        match = {
            "agreement": agreement,
            "activity_type": types[fields.pop("type")],
            "starts_on": fields.pop("starts_on"),
            "description": fields.pop("description"),
        }
        event = fields.pop("event", None)
        giver, recipient = fields.pop("giver", None), fields.pop("recipient", None)
        fields.update(
            event=events[event] if event else None,
            giver=places[giver] if giver else None,
            recipient=places[recipient] if recipient else None,
            status=ActivityStatus.DELIVERED,
            source=source,
        )
        made.setdefault(match["activity_type"].slug, []).append(
            _get_or_create(Activity, created, match, fields)
        )

    for award in spec.get("awards", []):
        fields = dict(award)
        justified_by = [a for slug in fields.pop("activities") for a in made[slug]]
        event = fields.pop("event")
        match = {
            "agreement": agreement,
            "form": fields.pop("form"),
            "issuer": fields.pop("issuer"),
            "decided_on": fields.pop("decided_on"),
        }
        fields.update(event=events[event], source=source)
        before = created[Award]
        found = _get_or_create(Award, created, match, fields)
        if created[Award] > before:
            found.activities.set(justified_by)

    publish_agreement(agreement, actor=None)  # a system job: logged without a person
    return agreement


def _redraw_if_lost(photo):
    if not (photo.image and photo.image.storage.exists(photo.image.name)):
        name = f"{photo.agreement.slug}-{photo.position}.jpg"
        photo.image.save(name, placeholder_jpeg(photo.caption))


def _photo(agreement, event, caption, position, created):
    photo = Photo(
        agreement=agreement,
        event=event,
        caption=caption,
        credit=CREDIT,
        is_placeholder=True,
        position=position,
    )
    photo.image.save(f"{agreement.slug}-{position}.jpg", placeholder_jpeg(caption), save=False)
    photo.full_clean()
    photo.save()
    created[Photo] += 1
    return photo


# Fonts that hold Vietnamese letters, looked up in the system's font folders. Pillow's own default
# font has no glyph for "ả" or "ọ": with it the text loses its marks rather than show boxes.
VIETNAMESE_FONTS = ("DejaVuSans.ttf", "LiberationSans-Regular.ttf", "NotoSans-Regular.ttf")
PLACEHOLDER_LABEL = "Ảnh minh họa"
PLACEHOLDER_SIZE = (1200, 800)


def _font(size):
    for name in VIETNAMESE_FONTS:
        try:
            return ImageFont.truetype(name, size), True
        except OSError:
            continue
    return ImageFont.load_default(size=size), False


def _wrap(words, font, width, draw):
    lines, line = [], ""
    for word in words.split():
        candidate = f"{line} {word}".strip()
        if line and draw.textlength(candidate, font=font) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line] if line else lines


def placeholder_jpeg(caption):
    """A soft colour field reading "Ảnh minh họa" above the caption, as a JPEG ContentFile.

    The colour comes from the caption, so a photo's placeholder is the same on every run.
    """
    hue = int(hashlib.sha256(caption.encode()).hexdigest()[:4], 16) / 0xFFFF
    background = tuple(round(c * 255) for c in colorsys.hls_to_rgb(hue, 0.90, 0.45))
    ink = tuple(round(c * 255) for c in colorsys.hls_to_rgb(hue, 0.30, 0.25))
    image = Image.new("RGB", PLACEHOLDER_SIZE, background)
    draw = ImageDraw.Draw(image)
    width, height = PLACEHOLDER_SIZE
    label_font, vietnamese = _font(72)
    caption_font, _vietnamese = _font(34)
    label, caption_text = PLACEHOLDER_LABEL, caption
    if not vietnamese:
        label, caption_text = text.strip_marks(label), text.strip_marks(caption)
    draw.text((width / 2, height * 0.42), label, font=label_font, fill=ink, anchor="mm")
    y = height * 0.56
    for line in _wrap(caption_text, caption_font, width * 0.8, draw):
        draw.text((width / 2, y), line, font=caption_font, fill=ink, anchor="mm")
        y += 48
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return ContentFile(buffer.getvalue())
