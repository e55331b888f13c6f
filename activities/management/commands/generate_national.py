"""`manage.py generate_national`: a made-up national dataset, for measuring speed (`make bench`).

At --scale 1: the official register (34 provinces, 3,321 communes, wards and special zones),
70,000 villages, 400 military units and 1,600 agencies, 20,000 agreements (mostly published) with
their parties, commitments, programmes, events, sources and publication log, and 1,000,000
activities over the 25 years 2001–2025 (a few paid by one of the FUNDERS), and 20,000 needs
posted by villages on the needs board, a quarter answered by a unit. The same seed and scale
give the same data.

Fast because it writes in bulk: bulk_create in batches (and COPY for the million activities on
PostgreSQL, see ActivityWriter), search keys and slugs computed here (as localities.services
does), no save() per row, so no history rows and no signals; the summaries other code keeps by
signals are rebuilt at the end (`rebuild_summaries`, where it exists). Nothing the database's
rules need is switched off: agreements go in as drafts, their parties after them, and only then
are they published, so the triggers of agreements 0002 (a published agreement has two signing
parties) and activities 0004 (an activity's event and source belong to its agreement) hold on
SQLite (checked at each write) as on PostgreSQL (checked at commit, with the foreign keys).
Everything is written in one transaction: a failure leaves the database as it was (--flush
deletes in a transaction of its own, before).

Generated localities carry MARKER in their note (as the agreements do in their summary), which
is how --flush finds the localities an earlier run made. It lives in `activities` because it
writes to all three apps.
"""

import datetime
import random
import time
from collections import Counter
from decimal import Decimal

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import (
    Activity,
    ActivityStatus,
    ActivityType,
    Funder,
    FunderKind,
    Need,
    NeedPriority,
    NeedStatus,
    Offer,
    OfferStatus,
    Qualifier,
)
from agreements.models import (
    Agreement,
    AgreementStatus,
    Commitment,
    CommitmentArea,
    DatePrecision,
    Event,
    EventKind,
    LegalDocument,
    LegalDocumentKind,
    Party,
    PartyRole,
    Programme,
    Publication,
    PublicationAction,
    Source,
)
from agreements.services import TITLE_SEPARATOR
from localities import text
from localities.models import Locality, LocalityKind
from localities.services import import_register

DEFAULT_SEED = 20250701
BATCH_SIZE = 2000
# Activities are made and written this many at a time, so memory stays flat at any scale.
CHUNK = 20_000

# Stored as data, in the site's first language, like the demo's notes.
MARKER = "Dữ liệu giả lập để đo hiệu năng (manage.py generate_national), không phải số liệu thật."

FIRST_DAY = datetime.date(2001, 1, 1)
LAST_DAY = datetime.date(2025, 12, 31)
YEARS = range(FIRST_DAY.year, LAST_DAY.year + 1)

# What --scale 1 makes; each figure is multiplied by the scale, never below the minimum.
FULL_SCALE = {
    "villages": 70_000,
    "military_units": 400,
    "agencies": 1_600,
    "agreements": 20_000,
    "activities": 1_000_000,
    "needs": 20_000,
}
MINIMUM = {
    "villages": 12,
    "military_units": 2,
    "agencies": 3,
    "agreements": 6,
    "activities": 60,
    "needs": 6,
}

# The needs board: what villages ask for (area slug, title, activity type slug, quantity range),
# mostly in ethnic-minority villages; a quarter answered by a unit, a tenth taken up.
NEED_MIX = [
    ("an-sinh-xa-hoi", "Xây nhà đại đoàn kết cho hộ nghèo", "nha-o", (1, 5)),
    ("an-sinh-xa-hoi", "Học bổng cho học sinh nghèo vượt khó", "hoc-bong", (5, 40)),
    ("an-sinh-xa-hoi", "Công trình nước sinh hoạt cho làng", "cong-trinh-nuoc", (1, 2)),
    ("san-xuat-khoa-hoc-ocop", "Bò giống cho hộ nghèo", "cay-giong-vat-nuoi", (5, 50)),
    ("san-xuat-khoa-hoc-ocop", "Bê tông hóa đường nội làng", "duong-be-tong", (1, 5)),
    ("van-hoa-the-thao", "Sửa nhà văn hóa làng", None, None),
    ("van-hoa-the-thao", "Bộ cồng chiêng cho đội văn nghệ làng", None, None),
]

# Share of villages in ethnic-minority areas, by province code: high in the Central Highlands
# and the northern mountains, lower in the deltas; about 30% over the country.
MINORITY_HIGH = {"04", "08", "11", "12", "14", "15", "19", "20", "52", "66", "68"}
MINORITY_MID = {"22", "25", "38", "40", "44", "51", "56", "80", "86", "91", "92", "96"}
# The province this site serves (Gia Lai) signs more agreements than its size alone gives.
HOME_PROVINCE, HOME_WEIGHT = "52", 3.0

KINH_WORDS = [
    "Đông", "Tây", "Nam", "Bắc", "Trung", "Hòa Bình", "Thống Nhất", "Tân Lập", "Quyết Thắng",
    "Đoàn Kết", "Hợp Tiến", "An Hòa", "Thanh Bình", "Tân Tiến", "Bình Minh", "Hưng Lợi",
    "Phú Thọ", "Tân Phú", "Đồng Tâm", "Thắng Lợi", "Chiến Thắng", "Quang Trung", "Phước Lộc",
]  # fmt: skip
MINORITY_PREFIXES = ["Làng", "Làng", "Buôn", "Plei", "Bản", "Bon", "Thôn"]
MINORITY_WORDS = [
    "Ghè", "Bông", "Kép", "Broong", "Mơ Nang", "Ia Pết", "Kon Jri", "Đê Kjiêng", "H'Lang",
    "Klăh", "Tung", "Chư Đăng", "Krông", "Ea Sim", "Đăk Pơ", "Thơ Ga", "Mrông", "Tơ Drăh",
    "Jơ Ngây", "Ktu", "Bờ Ngoong", "Púng", "Nà Khoang", "Pác Bó", "Khuổi Nặm", "Nậm Cang",
    "Sín Chải", "Xà Phìn", "Tả Van", "Cát Cát", "Mường Hoa", "Lao Chải", "Hua Tát", "Pá Khoang",
    "Đăk Rơ Wa", "Kon Klor", "Ia Băng", "Chư Sê", "Ia Dreng", "Tơ Nùng",
]  # fmt: skip

MILITARY_KINDS = [
    ("Sư đoàn", 300), ("Lữ đoàn", 100), ("Trung đoàn", 700), ("Tiểu đoàn", 10),
    ("Đồn Biên phòng", 500), ("Ban Chỉ huy Phòng thủ khu vực", 1), ("Hải đội", 20),
]  # fmt: skip
AGENCY_KINDS = [
    "Sở Y tế", "Sở Giáo dục và Đào tạo", "Sở Nông nghiệp và Môi trường", "Sở Tài chính",
    "Sở Xây dựng", "Sở Văn hóa, Thể thao và Du lịch", "Sở Khoa học và Công nghệ", "Sở Nội vụ",
    "Sở Tư pháp", "Sở Công Thương", "Ban Dân tộc", "Bệnh viện Đa khoa", "Bệnh viện Nhi",
    "Bệnh viện Y dược cổ truyền", "Trường Chính trị", "Công an", "Bảo hiểm xã hội",
    "Ngân hàng Chính sách xã hội chi nhánh", "Công ty Điện lực", "Tỉnh đoàn",
    "Hội Liên hiệp Phụ nữ", "Hội Nông dân", "Hội Cựu chiến binh", "Liên đoàn Lao động",
    "Ủy ban MTTQ Việt Nam", "Báo và Phát thanh, Truyền hình", "Kho bạc Nhà nước",
]  # fmt: skip
AGENCY_PER_UNIT = ["Trung tâm Y tế khu vực", "Trường THPT", "Trạm Y tế"]
FUNDERS = [
    ("Ngân hàng TMCP Công Thương Việt Nam", FunderKind.ENTERPRISE),
    ("Tập đoàn Điện lực Việt Nam", FunderKind.ENTERPRISE),
    ("Công ty Cổ phần Cà phê Tây Nguyên", FunderKind.ENTERPRISE),
    ("Công ty TNHH Xây dựng Thành Công", FunderKind.ENTERPRISE),
    ("Tổng Công ty Viễn thông Quân đội", FunderKind.ENTERPRISE),
    ("Quỹ Vì người nghèo", FunderKind.ORGANISATION),
    ("Công ty Cổ phần Mía đường", FunderKind.ENTERPRISE),
]
PUBLISHERS = ["Báo Nhân Dân", "Báo Quân đội nhân dân", "Báo Tin tức", "Cổng thông tin điện tử"]
AREA_WORDS = {
    "xay-dung-dang": "Hỗ trợ nhau xây dựng Đảng bộ, chính quyền, MTTQ và các đoàn thể vững mạnh.",
    "lanh-dao-quan-ly": "Chia sẻ kinh nghiệm trong công tác lãnh đạo, chỉ đạo, quản lý.",
    "doan-ket": "Tăng cường tình đoàn kết, gắn bó giữa cán bộ, đảng viên và nhân dân.",
    "san-xuat-khoa-hoc-ocop": "Hỗ trợ chuyển đổi cây trồng, vật nuôi; xây dựng sản phẩm OCOP.",
    "van-hoa-the-thao": "Tổ chức giao lưu văn hóa - văn nghệ, thể dục - thể thao hằng năm.",
    "quoc-phong-an-ninh": "Phối hợp giữ vững quốc phòng - an ninh, xây dựng thế trận lòng dân.",
    "an-sinh-xa-hoi": "Chăm lo đời sống người dân, hỗ trợ hộ nghèo, gia đình chính sách.",
}

# Activity types of activities 0002, with the share of activities, the range of the quantity,
# the value of one unit in VND (or None: no value) and how often a value is reported.
# (slug, weight, low, high, hundredths, unit value range, share with a value, descriptions)
TYPE_MIX = [
    ("qua-tang", 26, 10, 300, False, (200_000, 1_000_000), 0.8,
     ["Tặng quà hộ nghèo dịp Tết Nguyên đán", "Tặng quà gia đình chính sách", "Tặng quà học sinh"]),
    ("tien-mat", 18, None, None, False, (2_000_000, 800_000_000), 1.0,
     ["Hỗ trợ tiền mặt", "Hỗ trợ kinh phí xây dựng nông thôn mới", "Ủng hộ quỹ vì người nghèo"]),
    ("kham-chua-benh", 8, 50, 1500, False, (100_000, 250_000), 0.4,
     ["Khám bệnh, cấp thuốc miễn phí cho người dân", "Khám sàng lọc cho người cao tuổi"]),
    ("ngay-cong", 8, 50, 5000, False, None, 0.0,
     ["Giúp dân thu hoạch mùa vụ", "Làm đường giao thông nông thôn", "Dọn vệ sinh môi trường"]),
    ("hoc-bong", 7, 2, 60, False, (1_000_000, 3_000_000), 0.9,
     ["Trao học bổng cho học sinh nghèo vượt khó", "Học bổng Nâng bước em tới trường"]),
    ("cay-giong-vat-nuoi", 6, 50, 5000, False, (20_000, 2_000_000), 0.5,
     ["Tặng cây giống cà phê", "Tặng bò giống cho hộ nghèo", "Tặng cây ăn quả"]),
    ("quan-ao", 5, 30, 800, False, (80_000, 200_000), 0.3, ["Tặng quần áo ấm cho trẻ em"]),
    ("giay-khen", 5, 2, 40, False, None, 0.0, ["Khen thưởng tập thể, cá nhân tiêu biểu"]),
    ("nha-o", 4, 1, 6, False, (40_000_000, 90_000_000), 0.95,
     ["Xây nhà đại đoàn kết", "Sửa chữa nhà cho hộ nghèo"]),
    ("sua-chua-duong", 3, 20, 800, True, (100_000_000, 400_000_000), 0.7,
     ["Tu sửa đường liên thôn"]),
    ("duong-be-tong", 3, 10, 500, True, (800_000_000, 1_500_000_000), 0.9,
     ["Bê tông hóa đường nội làng"]),
    ("cong-trinh-nuoc", 2, 1, 3, False, (50_000_000, 500_000_000), 0.9,
     ["Xây dựng công trình nước sinh hoạt tập trung"]),
]  # fmt: skip
QUALIFIERS = (
    [Qualifier.EXACT] * 82 + [Qualifier.OVER] * 10 + [Qualifier.ABOUT] * 5 + [Qualifier.NEARLY] * 3
)


def scaled(scale):
    return {key: max(MINIMUM[key], round(n * scale)) for key, n in FULL_SCALE.items()}


class Slugs:
    """Slugs not yet taken: 'thon-3-xa-ia-dok', then 'thon-3-xa-ia-dok-2'."""

    def __init__(self, taken, max_length):
        self.taken = set(taken)
        self.max_length = max_length

    def make(self, base):
        base = (text.slugify(base) or "x")[: self.max_length - 8]
        slug, n = base, 2
        while slug in self.taken:
            slug, n = f"{base}-{n}", n + 1
        self.taken.add(slug)
        return slug


class Command(BaseCommand):
    @property
    def help(self):
        # A property, not gettext_lazy: argparse cannot format a lazy string.
        return _(
            "Fill the database with a made-up national dataset for measuring speed: the official "
            "register, villages, units, agencies, agreements and activities over 25 years. The "
            "same seed and scale give the same data. It refuses to run on a database that holds "
            "agreements unless told to delete them (--flush) or to add to them (--force)."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=_("Seed of the random choices (default %(default)s)."),
        )
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help=_(
                "1 makes 70,000 villages, 20,000 agreements and 1,000,000 activities; 0.1 ten "
                "times fewer. The register is always whole."
            ),
        )
        what = parser.add_mutually_exclusive_group()
        what.add_argument(
            "--flush",
            action="store_true",
            help=_(
                "First delete every agreement and activity, and the localities and documents an "
                "earlier run made."
            ),
        )
        what.add_argument(
            "--force",
            action="store_true",
            help=_("Add the made-up data to the agreements already in the database."),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Only say what would be done."),
        )

    def handle(self, *args, seed, scale, flush, force, dry_run, **options):
        if not 0 < scale <= 10:
            raise CommandError(_("The scale must be more than 0 and at most 10."))
        counts = scaled(scale)
        existing = {
            "agreements": Agreement.objects.count(),
            "activities": Activity.objects.count(),
            "localities": Locality.objects.filter(note=MARKER).count(),
        }
        database = connection.settings_dict["NAME"]
        self.stdout.write(
            _(
                "Made-up national data, seed %(seed)d, scale %(scale)s, into the %(vendor)s "
                "database “%(database)s”: the official register, %(villages)d villages, "
                "%(military_units)d military units, %(agencies)d agencies, %(agreements)d "
                "agreements and %(activities)d activities."
            )
            % {
                "seed": seed,
                "scale": f"{scale:g}",
                "vendor": connection.vendor,
                "database": database,
                **counts,
            }
        )
        has_data = existing["agreements"] or existing["activities"] or existing["localities"]
        if has_data and not (flush or force):
            raise CommandError(
                _(
                    "The database already holds %(agreements)d agreements, %(activities)d "
                    "activities and %(localities)d made-up localities. Nothing was written. Use "
                    "--flush to delete them first, or --force to add the made-up data to them."
                )
                % existing
            )
        if flush and has_data:
            self.stdout.write(
                _(
                    "It first deletes %(agreements)d agreements (with their parties, events, "
                    "photos and log), %(activities)d activities and %(localities)d localities of "
                    "an earlier run."
                )
                % existing
            )
        elif force and existing["agreements"]:
            self.stdout.write(
                _("It adds to the %(agreements)d agreements already there.") % existing
            )
        if dry_run:
            self.stdout.write(_("Dry run: nothing was written."))
            return

        started = time.monotonic()
        generator = Generator(seed, counts, self._stage)
        if flush and has_data:
            # Its own transaction: PostgreSQL then loads into tables free of the deleted rows.
            with transaction.atomic():
                self._stage(_("deleted"), *flush_generated())
        with transaction.atomic():
            generator.run()
        self._stage(_("committed"), 0, generator.last_mark)
        self._finish()
        self.stdout.write(
            self.style.SUCCESS(
                _("Done in %(seconds).1f s: %(counts)s.")
                % {
                    "seconds": time.monotonic() - started,
                    "counts": ", ".join(f"{k} {v}" for k, v in generator.written.items()),
                }
            )
        )

    def _stage(self, stage, rows, since):
        self.stdout.write(
            _("%(stage)s: %(rows)d rows in %(seconds).1f s.")
            % {"stage": stage, "rows": rows, "seconds": time.monotonic() - since}
        )
        self.stdout.flush()

    def _finish(self):
        """The figures that signals keep in step are rebuilt; PostgreSQL's statistics renewed."""
        if "rebuild_summaries" in get_commands():  # it says how long it took
            call_command("rebuild_summaries", stdout=self.stdout)
        if connection.vendor == "postgresql":
            since = time.monotonic()
            # After a bulk load: fresh planner statistics, and a vacuum now rather than an
            # autovacuum later, in the middle of a measurement.
            with connection.cursor() as cursor:
                if not connection.in_atomic_block:  # VACUUM cannot run in a transaction
                    for model in (Locality, Agreement, Party, Event, Source, Activity):
                        cursor.execute(f"VACUUM (ANALYZE) {model._meta.db_table}")
                cursor.execute("ANALYZE")
            self._stage(_("vacuumed and analysed"), 0, since)


def flush_generated():
    """Delete every agreement and activity, and what earlier runs made, without signals.

    Signals would write a history row for each deleted row (a million for activities), so rows
    are deleted by SQL, with every row that points at them first (whatever app defines it, a
    summary table too): a cascade that does not ask PROTECT. Returns (rows, start time).
    """
    since = time.monotonic()
    # Unpublished first, as agreements.services.delete_agreement does: SQLite's triggers refuse
    # to take the parties from a published agreement.
    Agreement.objects.filter(status=AgreementStatus.PUBLISHED).update(
        status=AgreementStatus.DRAFT, published_at=None
    )
    deleted = 0
    for model, queryset in (
        (Need, Need.objects.all()),
        (Activity, Activity.objects.all()),
        (Agreement, Agreement.objects.all()),
        (LegalDocument, LegalDocument.objects.filter(summary=MARKER)),
        (Locality, Locality.objects.filter(note=MARKER)),
    ):
        deleted += _delete_with_dependents(model, queryset, seen=set())
    return deleted, since


def _delete_with_dependents(model, queryset, seen):
    deleted = 0
    # Every foreign key pointing here, hidden ones too (the tables of many-to-many fields,
    # related_name="+"); history rows keep no constraint and stay, as after any deletion.
    for relation in model._meta.get_fields(include_hidden=True):
        if not relation.auto_created or relation.concrete or relation.many_to_many:
            continue
        related, field = relation.related_model, relation.field
        if not field.db_constraint or related is model or (related, field.name) in seen:
            continue  # a tree of localities goes in one statement, checked at its end
        seen.add((related, field.name))
        deleted += _delete_with_dependents(
            related, related._base_manager.filter(**{f"{field.name}__in": queryset}), seen
        )
    # A private API, the one Django's own fast deletes use: one DELETE, no signals.
    return deleted + queryset._raw_delete(queryset.db)


class Generator:
    """Everything one run writes, from one random.Random(seed): same seed, same rows."""

    def __init__(self, seed, counts, stage):
        self.seed = seed
        self.rng = random.Random(seed)
        self.counts = counts
        self.stage = stage
        self.written = Counter()
        self.zone = timezone.get_default_timezone()
        self.last_mark = time.monotonic()

    def mark(self, label, rows):
        self.stage(label, rows, self.last_mark)
        self.last_mark = time.monotonic()

    def run(self):
        result = import_register()
        self.mark(_("register"), result["created"] + result["updated"] + result["unchanged"])
        self.load_register()
        self.make_villages()
        self.make_units()
        self.make_legal_documents()
        self.make_agreements()
        self.make_activities()
        self.make_needs()

    def bulk(self, model, objs):
        created = model.objects.bulk_create(objs, batch_size=BATCH_SIZE)
        self.written[model._meta.model_name] += len(created)
        return created

    # Localities ---------------------------------------------------------------------------

    def load_register(self):
        """The register's provinces and their units, in code order (ids differ between
        databases; codes do not, so every choice below is made over codes)."""
        self.provinces = []  # (code, id, name)
        self.units = {}  # province code → [(id, name, slug, kind)]
        province_of = {}
        for loc_id, code, name in (
            Locality.objects.filter(kind=LocalityKind.PROVINCE, code__isnull=False)
            .order_by("code")
            .values_list("id", "code", "name")
        ):
            self.provinces.append((code, loc_id, name))
            self.units[code] = []
            province_of[loc_id] = code
        for loc_id, parent_id, name, slug, kind in (
            Locality.objects.filter(
                kind__in=[LocalityKind.COMMUNE, LocalityKind.WARD, LocalityKind.SPECIAL_ZONE],
                code__isnull=False,
                dissolved_on__isnull=True,
                parent_id__in=province_of,
            )
            .order_by("code")
            .values_list("id", "parent_id", "name", "slug", "kind")
        ):
            self.units[province_of[parent_id]].append((loc_id, name, slug, kind))
        self.names = {}  # locality id → name, for titles
        for code, loc_id, name in self.provinces:
            self.names[loc_id] = name
            for unit in self.units[code]:
                self.names[unit[0]] = unit[1]
        self.locality_slugs = Slugs(Locality.objects.values_list("slug", flat=True), 220)

    def make_villages(self):
        rng = self.rng
        all_units = [(code, unit) for code, *_rest in self.provinces for unit in self.units[code]]
        weights = [rng.uniform(0.4, 1.6) for _unit in all_units]
        per_unit = _apportion(self.counts["villages"], weights, rng)
        objs, self.villages_meta = [], []  # (province code, parent id, minority)
        for (code, (unit_id, _name, unit_slug, kind)), n in zip(all_units, per_unit, strict=True):
            share = 0.6 if code in MINORITY_HIGH else 0.28 if code in MINORITY_MID else 0.07
            if kind == LocalityKind.WARD:
                share /= 3
            used = Counter()
            for i in range(n):
                minority = rng.random() < share
                if minority:
                    base = f"{rng.choice(MINORITY_PREFIXES)} {rng.choice(MINORITY_WORDS)}"
                elif kind == LocalityKind.WARD:
                    base = f"Tổ dân phố {i + 1}"
                elif rng.random() < 0.6:
                    base = f"Thôn {i + 1}"
                else:
                    base = f"Thôn {rng.choice(KINH_WORDS)}"
                used[base] += 1
                name = base if used[base] == 1 else f"{base} {used[base]}"
                objs.append(
                    Locality(
                        name=name,
                        kind=LocalityKind.VILLAGE,
                        parent_id=unit_id,
                        slug=self.locality_slugs.make(f"{name} {unit_slug}"),
                        search_key=text.search_key(name),
                        is_ethnic_minority_area=minority,
                        note=MARKER,
                    )
                )
                self.villages_meta.append((code, unit_id, minority))
        created = self.bulk(Locality, objs)
        self.villages = {code: ([], []) for code, *_rest in self.provinces}  # (minority, other)
        for obj, (code, _parent, minority) in zip(created, self.villages_meta, strict=True):
            self.villages[code][0 if minority else 1].append(obj.pk)
            self.names[obj.pk] = obj.name
        self.village_parent = {
            obj.pk: parent
            for obj, (_c, parent, _m) in zip(created, self.villages_meta, strict=True)
        }
        self.mark(_("villages"), len(created))

    def make_units(self):
        """Military units (no parent, as in the demo: they are not units of a province) and
        agencies (under their province); each is based in one province, where it twins."""
        rng = self.rng
        province_weights = self._province_weights()
        codes = [code for code, *_rest in self.provinces]
        objs, based = [], []
        numbers = Counter()
        for _i in range(self.counts["military_units"]):
            kind, first = rng.choice(MILITARY_KINDS)
            numbers[kind] += 1
            name = f"{kind} {first + numbers[kind]}"
            objs.append(self._unit(name, LocalityKind.MILITARY_UNIT, None))
            based.append(rng.choices(codes, weights=province_weights)[0])
        province_ids = {code: loc_id for code, loc_id, _name in self.provinces}
        names = {code: name for code, _id, name in self.provinces}
        taken = set()
        for _i in range(self.counts["agencies"]):
            code = rng.choices(codes, weights=province_weights)[0]
            province = names[code]
            province = province[0].lower() + province[1:]  # "Sở Y tế tỉnh Gia Lai"
            name = f"{rng.choice(AGENCY_KINDS)} {province}"
            if name in taken and self.units[code]:
                unit_name = rng.choice(self.units[code])[1].split(" ", 1)[-1]
                name = f"{rng.choice(AGENCY_PER_UNIT)} {unit_name}, {province}"
            n, base = 2, name
            while name in taken:
                name, n = f"{base} (cơ sở {n})", n + 1
            taken.add(name)
            objs.append(self._unit(name, LocalityKind.AGENCY, province_ids[code]))
            based.append(code)
        created = self.bulk(Locality, objs)
        self.military = {code: [] for code in codes}
        self.agencies = {code: [] for code in codes}
        for obj, code in zip(created, based, strict=True):
            pool = self.military if obj.kind == LocalityKind.MILITARY_UNIT else self.agencies
            pool[code].append(obj.pk)
            self.names[obj.pk] = obj.name
        self.mark(_("military units and agencies"), len(created))

    def _unit(self, name, kind, parent_id):
        return Locality(
            name=name,
            kind=kind,
            parent_id=parent_id,
            slug=self.locality_slugs.make(name),
            search_key=text.search_key(name),
            note=MARKER,
        )

    def _province_weights(self):
        return [
            len(self.units[code]) * (HOME_WEIGHT if code == HOME_PROVINCE else 1.0)
            for code, *_rest in self.provinces
        ]

    # Agreements ---------------------------------------------------------------------------

    def make_legal_documents(self):
        """A directive of the provincial party committee and a plan of the people's committee
        per province, every few years: what agreements are signed under."""
        rng = self.rng
        taken = set(LegalDocument.objects.values_list("number", "issued_on"))
        slugs = Slugs(LegalDocument.objects.values_list("slug", flat=True), 120)
        objs, owners = [], []
        for code, _loc_id, name in self.provinces:
            where = name.split(" ", 1)[-1] if name.startswith("Tỉnh") else name
            for year in range(FIRST_DAY.year, LAST_DAY.year + 1, 5):
                issued_on = datetime.date(year + rng.randint(0, 4), rng.randint(1, 12), 1)
                issued_on += datetime.timedelta(days=rng.randint(0, 27))
                for number, kind, title, issuer in (
                    (
                        f"{rng.randint(1, 40):02d}-CT/TU",
                        LegalDocumentKind.DIRECTIVE,
                        "Chỉ thị về tăng cường hoạt động kết nghĩa",
                        f"Ban Thường vụ Tỉnh ủy {where}",
                    ),
                    (
                        f"{rng.randint(1, 300)}/KH-UBND",
                        LegalDocumentKind.PLAN,
                        "Kế hoạch thực hiện hoạt động kết nghĩa với thôn, làng vùng đồng bào "
                        "dân tộc thiểu số",
                        f"UBND {name[0].lower() + name[1:]}",
                    ),
                ):
                    if (number, issued_on) in taken:
                        continue
                    taken.add((number, issued_on))
                    objs.append(
                        LegalDocument(
                            number=number,
                            kind=kind,
                            title=title,
                            issuer=issuer,
                            issued_on=issued_on,
                            slug=slugs.make(f"{number} {issued_on.year} {where}"),
                            summary=MARKER,
                        )
                    )
                    owners.append(code)
        created = self.bulk(LegalDocument, objs)
        # province code → [(issued on, id)], oldest first
        self.documents = {code: [] for code, *_rest in self.provinces}
        for obj, code in zip(created, owners, strict=True):
            self.documents[code].append((obj.issued_on, obj.pk))
        for documents in self.documents.values():
            documents.sort()
        self.mark(_("legal documents"), len(created))

    def make_agreements(self):
        rng = self.rng
        codes = [code for code, *_rest in self.provinces]
        province_weights = self._province_weights()
        # Some communes and wards of each province sign more agreements than others: the same
        # ones at every scale (their own random draw, from the seed alone), so that a commune's
        # pages can be compared on ten times less data.
        busy = random.Random(f"{self.seed}-busy")
        self.unit_weights = {}
        for code in codes:
            ranks = list(range(1, len(self.units[code]) + 1))
            busy.shuffle(ranks)
            self.unit_weights[code] = list(_cumulative([1 / rank**0.5 for rank in ranks]))
        year_weights = list(_cumulative([1 + (year - FIRST_DAY.year) / 4 for year in YEARS]))
        agreement_slugs = Slugs(Agreement.objects.values_list("slug", flat=True), 320)
        areas = list(CommitmentArea.objects.order_by("position", "pk").values_list("pk", "slug"))

        specs = []
        for _i in range(self.counts["agreements"]):
            code = rng.choices(codes, weights=province_weights)[0]
            parties = self._parties(code)
            year = rng.choices(YEARS, cum_weights=year_weights)[0]
            signed_on = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randint(0, 364))
            signed_on = min(signed_on, LAST_DAY)
            ended_on = None
            if year < 2022 and rng.random() < 0.12:
                ended_on = signed_on + datetime.timedelta(
                    days=rng.randint(3 * 365, (LAST_DAY - signed_on).days)
                )
            published = rng.random() < 0.92
            title = TITLE_SEPARATOR.join(
                self.names[loc] for loc, role in parties if role == PartyRole.PARTY
            )[:300]
            specs.append(
                {
                    "code": code,
                    "parties": parties,
                    "signed_on": signed_on,
                    "ended_on": ended_on,
                    "published": published,
                    "agreement": Agreement(
                        title=title,
                        slug=agreement_slugs.make(f"{title} {signed_on.year}"),
                        search_key=text.search_key(title),
                        status=AgreementStatus.DRAFT,
                        signed_on=signed_on,
                        signed_at_place=f"Hội trường {self.names[parties[0][0]]}",
                        ended_on=ended_on,
                        summary=f"Giao ước kết nghĩa giữa {title}. {MARKER}",
                        published_at=self._published_at(signed_on) if published else None,
                    ),
                }
            )
        # Drafts first, then parties, then publication: the order SQLite's triggers ask for.
        created = self.bulk(Agreement, [spec["agreement"] for spec in specs])
        self.mark(_("agreements"), len(created))

        parties, links, commitments, programmes, events, sources = [], [], [], [], [], []
        through = Agreement.legal_basis.through
        for spec in specs:
            agreement_id = spec["agreement"].pk
            for position, (loc, role) in enumerate(spec["parties"]):
                parties.append(
                    Party(
                        agreement_id=agreement_id,
                        locality_id=loc,
                        role=role,
                        signatory_name=_person(rng),
                        signatory_title=_signatory_title(rng, self.names[loc]),
                        position=position,
                    )
                )
            documents = [pk for day, pk in self.documents[spec["code"]] if day <= spec["signed_on"]]
            if documents and rng.random() < 0.6:
                links.append(through(agreement_id=agreement_id, legaldocument_id=documents[-1]))
            for position, (area_id, slug) in enumerate(
                sorted(rng.sample(areas, rng.randint(2, 5)))
            ):
                commitments.append(
                    Commitment(
                        agreement_id=agreement_id,
                        area_id=area_id,
                        text=AREA_WORDS.get(slug, ""),
                        position=position,
                    )
                )
            programmes.extend(self._programmes(spec, agreement_id))
            spec["events"] = self._events(spec, agreement_id)
            events.extend(spec["events"])
            spec["sources"] = self._sources(spec, agreement_id)
            sources.extend(spec["sources"])
        self.bulk(Party, parties)
        self.bulk(through, links)
        self.bulk(Commitment, commitments)
        self.bulk(Programme, programmes)
        self.bulk(Event, events)
        self.bulk(Source, sources)
        self.mark(
            _("parties, commitments, programmes, events and sources"),
            len(parties) + len(links) + len(commitments) + len(programmes) + len(events)
            + len(sources),
        )  # fmt: skip

        published = [spec["agreement"] for spec in specs if spec["published"]]
        for start in range(0, len(published), BATCH_SIZE):
            batch = [agreement.pk for agreement in published[start : start + BATCH_SIZE]]
            Agreement.objects.filter(pk__in=batch).update(status=AgreementStatus.PUBLISHED)
        self.bulk(
            Publication,
            [
                Publication(
                    agreement_id=agreement.pk,
                    action=PublicationAction.PUBLISHED,
                    actor=None,
                    at=agreement.published_at,
                )
                for agreement in published
            ],
        )
        self.mark(_("published"), len(published))
        self.specs = specs

    def _parties(self, code):
        """Who signs: [(locality id, role)], two or three, in signing order."""
        rng = self.rng
        minority, other = self.villages[code]
        military, agencies = self.military[code], self.agencies[code]
        r = rng.random()
        if r < 0.35 and (minority or other):
            # A ward or commune twins with a village of another commune (Plan 43/KH-UBND).
            pool = minority if minority and (rng.random() < 0.8 or not other) else other
            village = rng.choice(pool)
            commune = self.village_parent[village]
            parties = [
                (self._unit_in(code, {commune}), PartyRole.PARTY),
                (village, PartyRole.PARTY),
            ]
            if rng.random() < 0.25:
                if agencies and rng.random() < 0.5:  # a ward and a hospital together
                    parties.insert(1, (rng.choice(agencies), PartyRole.PARTY))
                else:  # the village's commune coordinates
                    parties.append((commune, PartyRole.COORDINATOR))
        elif 0.60 <= r < 0.75 and military:
            parties = [
                (rng.choice(military), PartyRole.PARTY),
                (self._unit_in(code), PartyRole.PARTY),
            ]
        elif 0.75 <= r < 0.90 and agencies:
            pool = minority or other
            target = rng.choice(pool) if pool and rng.random() < 0.6 else self._unit_in(code)
            parties = [(rng.choice(agencies), PartyRole.PARTY), (target, PartyRole.PARTY)]
        elif r >= 0.90:
            elsewhere = rng.choice([c for c, *_rest in self.provinces if c != code])
            parties = [
                (self._unit_in(elsewhere), PartyRole.PARTY),
                (self._unit_in(code), PartyRole.PARTY),
            ]
        else:  # two communes or wards of the province, now and then three
            first = self._unit_in(code)
            second = self._unit_in(code, {first})
            parties = [(first, PartyRole.PARTY), (second, PartyRole.PARTY)]
            if rng.random() < 0.1:
                parties.append((self._unit_in(code, {first, second}), PartyRole.PARTY))
        unique = []
        for loc, role in parties:
            if loc is not None and loc not in {other_loc for other_loc, _role in unique}:
                unique.append((loc, role))
        if sum(role == PartyRole.PARTY for _loc, role in unique) < 2:
            # Too few units for the pair drawn: two communes or wards of the home province.
            first = self._unit_in(HOME_PROVINCE)
            unique = [
                (first, PartyRole.PARTY),
                (self._unit_in(HOME_PROVINCE, {first}), PartyRole.PARTY),
            ]
        return unique

    def _unit_in(self, code, exclude=()):
        units = self.units[code]
        if len(units) <= len(exclude):
            return None
        while True:
            unit = self.rng.choices(units, cum_weights=self.unit_weights[code])[0][0]
            if unit not in exclude:
                return unit

    def _published_at(self, signed_on):
        day = min(signed_on + datetime.timedelta(days=self.rng.randint(1, 30)), LAST_DAY)
        return datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=self.zone)

    def _programmes(self, spec, agreement_id):
        rng = self.rng
        if rng.random() >= 0.4:
            return []
        start = spec["signed_on"].year + rng.randint(0, 5)
        if start > LAST_DAY.year:
            return []
        length = rng.choice([5, 5, 10])
        return [
            Programme(
                agreement_id=agreement_id,
                name=(name := f"Chương trình phối hợp giai đoạn {start}–{start + length}"),
                search_key=text.search_key(name),
                starts_on=datetime.date(start, 1, 1),
                ends_on=datetime.date(start + length, 12, 31),
                signed_on=datetime.date(start, 1, 1),
                date_precision=DatePrecision.YEAR,
            )
        ]

    def _events(self, spec, agreement_id):
        rng = self.rng
        signed_on, end = spec["signed_on"], spec["ended_on"] or LAST_DAY
        names = [self.names[loc] for loc, role in spec["parties"] if role == PartyRole.PARTY]
        events = [
            Event(
                agreement_id=agreement_id,
                kind=EventKind.SIGNING,
                title=f"Lễ ký kết giao ước kết nghĩa giữa {' và '.join(names)}",
                held_on=signed_on,
                place=spec["agreement"].signed_at_place,
            )
        ]
        for years in range(5, 26, 5):
            held_on = _add_years(signed_on, years)
            if held_on > end:
                break
            events.append(
                Event(
                    agreement_id=agreement_id,
                    kind=EventKind.REVIEW,
                    title=f"Hội nghị tổng kết {years} năm kết nghĩa",
                    held_on=held_on.replace(day=1),
                    date_precision=DatePrecision.MONTH,
                )
            )
        for _i in range(rng.randint(0, 3)):
            held_on = _day_between(rng, signed_on, end)
            kind = rng.choice([EventKind.VISIT, EventKind.EXCHANGE])
            title = (
                f"Thăm, tặng quà dịp Tết Nguyên đán {held_on.year}"
                if kind == EventKind.VISIT
                else f"Giao lưu văn hóa, thể thao năm {held_on.year}"
            )
            events.append(Event(agreement_id=agreement_id, kind=kind, title=title, held_on=held_on))
        return events

    def _sources(self, spec, agreement_id):
        rng = self.rng
        province = next(name for code, _id, name in self.provinces if code == spec["code"])
        publishers = [f"Báo {province.split(' ', 1)[-1]}", *PUBLISHERS]
        return [
            Source(
                agreement_id=agreement_id,
                title=f"{spec['agreement'].title}: {headline}",
                publisher=rng.choice(publishers),
                published_on=day,
                date_precision=DatePrecision.DAY,
            )
            for headline, day in [
                ("ký kết giao ước kết nghĩa", spec["signed_on"]),
                (
                    "nhiều hoạt động thiết thực",
                    _day_between(rng, spec["signed_on"], spec["ended_on"] or LAST_DAY),
                ),
            ][: rng.randint(1, 2)]
        ]

    # Activities ---------------------------------------------------------------------------

    def make_funders(self):
        """The ids of FUNDERS, in their order: made in one statement, or those already there
        (an earlier run's, or entered by staff under the same name) taken as they are."""
        wanted = {text.search_key(name): (name, kind) for name, kind in FUNDERS}
        there = Funder.objects.filter(search_key__in=wanted)
        found = set(there.values_list("search_key", flat=True))
        slugs = Slugs(Funder.objects.values_list("slug", flat=True), 220)
        self.bulk(
            Funder,
            [
                Funder(name=name, kind=kind, search_key=key, slug=slugs.make(name))
                for key, (name, kind) in wanted.items()
                if key not in found
            ],
        )
        ids = dict(there.values_list("search_key", "pk"))
        return [ids[key] for key in wanted]

    def make_activities(self):
        rng = self.rng
        self.funders = self.make_funders()
        types = dict(ActivityType.objects.values_list("slug", "pk"))
        mix = [spec for spec in TYPE_MIX if spec[0] in types]
        if not mix:
            raise CommandError(_("The activity types of the data migrations are missing."))
        type_weights = list(_cumulative([spec[1] for spec in mix]))
        # Older agreements have had more years to deliver; drafts have little.
        weights = []
        for spec in self.specs:
            years = ((spec["ended_on"] or LAST_DAY) - spec["signed_on"]).days / 365 + 0.25
            weight = years * rng.lognormvariate(0, 0.5)
            weights.append(weight if spec["published"] else weight * 0.15)
        cum_weights = list(_cumulative(weights))
        context = []
        for spec in self.specs:
            context.append(
                (
                    spec["agreement"].pk,
                    spec["signed_on"],
                    spec["ended_on"] or LAST_DAY,
                    [loc for loc, role in spec["parties"] if role == PartyRole.PARTY],
                    [(event.pk, event.held_on) for event in spec["events"]],
                    [source.pk for source in spec["sources"]],
                )
            )
        del self.specs
        total = self.counts["activities"]
        indexes = range(len(context))
        writer = ActivityWriter(timezone.now())
        done = 0
        while done < total:
            n = min(CHUNK, total - done)
            chosen = rng.choices(indexes, cum_weights=cum_weights, k=n)
            writer.write(
                self._activity(context[i], rng.choices(mix, cum_weights=type_weights)[0], types)
                for i in chosen
            )
            done += n
        self.written["activity"] += done
        self.mark(_("activities"), done)

    def make_needs(self):
        """Needs posted by villages (most of them ethnic-minority ones), each of a kind of
        NEED_MIX; a quarter answered by a unit of the village's province."""
        rng = self.rng
        areas = dict(CommitmentArea.objects.values_list("slug", "pk"))
        types = dict(ActivityType.objects.values_list("slug", "pk"))
        mix = [spec for spec in NEED_MIX if spec[0] in areas]
        codes = [code for code, *_rest in self.provinces if any(self.villages[code])]
        start = datetime.datetime(2025, 7, 1, tzinfo=self.zone)
        needs, answers = [], []
        for _i in range(self.counts["needs"]):
            code = rng.choice(codes)
            minority, other = self.villages[code]
            pool = minority if minority and (rng.random() < 0.8 or not other) else other
            area, title, type_slug, quantities = rng.choice(mix)
            quantity = rng.randint(*quantities) if quantities and type_slug in types else None
            status = NeedStatus.MET if rng.random() < 0.1 else NeedStatus.OPEN
            needs.append(
                Need(
                    locality_id=rng.choice(pool),
                    area_id=areas[area],
                    title=title,
                    search_key=text.search_key(title),
                    activity_type_id=types.get(type_slug) if quantity else None,
                    quantity=quantity,
                    value_vnd=rng.randrange(10, 500) * 1_000_000 if rng.random() < 0.6 else None,
                    priority=rng.choice(NeedPriority.values),
                    status=status,
                )
            )
            units = self.military[code] + self.agencies[code]
            if units and (status == NeedStatus.MET or rng.random() < 0.25):
                answers.append((len(needs) - 1, rng.choice(units), status))
        created = self.bulk(Need, needs)
        # created_at is set by the database's clock: spread the needs over the past months.
        for need in created:
            need.created_at = start + datetime.timedelta(minutes=rng.randrange(0, 500_000))
        Need.objects.bulk_update(created, ["created_at"], batch_size=BATCH_SIZE)
        self.bulk(
            Offer,
            [
                Offer(
                    need_id=created[index].pk,
                    party_id=unit,
                    description="Nhận hỗ trợ trong năm nay.",
                    status=OfferStatus.ACCEPTED
                    if status == NeedStatus.MET
                    else OfferStatus.PROPOSED,
                )
                for index, unit, status in answers
            ],
        )
        self.mark(_("needs"), len(created))

    def _activity(self, agreement, spec, types):
        """One activity's fields, by attribute name (giver_id…)."""
        rng = self.rng
        agreement_id, signed_on, end, parties, events, sources = agreement
        slug, _weight, low, high, hundredths, unit_value, valued, descriptions = spec
        fields = {
            "agreement_id": agreement_id,
            "activity_type_id": types[slug],
            "description": rng.choice(descriptions),
            "quantity_qualifier": QUALIFIERS[int(rng.random() * 100)],
            "value_qualifier": QUALIFIERS[int(rng.random() * 100)],
        }
        r = rng.random()
        if events and r < 0.2:
            fields["event_id"], starts_on = rng.choice(events)
        else:
            starts_on = _day_between(rng, signed_on, end)
        if sources and rng.random() < 0.08:
            fields["source_id"] = rng.choice(sources)
        r = rng.random()
        if r < 0.08:
            fields["status"] = ActivityStatus.PLEDGED
            if end == LAST_DAY and rng.random() < 0.4:  # "500 million over 2026–2030"
                starts_on = datetime.date(max(starts_on.year + 1, 2026), 1, 1)
                fields["ends_on"] = datetime.date(starts_on.year + 4, 12, 31)
                fields["date_precision"] = DatePrecision.YEAR
        elif r < 0.11 and "event_id" not in fields:  # a figure over several years
            fields["ends_on"] = min(_add_years(starts_on, rng.randint(1, 10)), end)
            fields["date_precision"] = DatePrecision.MONTH
            starts_on = starts_on.replace(day=1)
        elif r < 0.2 and "event_id" not in fields:
            fields["date_precision"] = DatePrecision.MONTH
            starts_on = starts_on.replace(day=1)
        elif r < 0.24 and "event_id" not in fields:
            fields["date_precision"] = DatePrecision.YEAR
            starts_on = starts_on.replace(month=1, day=1)
        fields["starts_on"] = starts_on
        if fields.get("ends_on") is not None and fields["ends_on"] < starts_on:
            fields["ends_on"] = starts_on

        giver = rng.choice(parties)
        r = rng.random()
        if r < 0.1:  # the parties together
            recipient = rng.choice(parties)
            giver = None
        elif r < 0.25:
            recipient = None
            fields["recipient_detail"] = f"{rng.randint(5, 200)} hộ nghèo"
        else:
            recipient = rng.choice([p for p in parties if p != giver])
        fields["giver_id"], fields["recipient_id"] = giver, recipient
        if rng.random() < 0.03:
            fields["funder_id"] = rng.choice(self.funders)

        if low is None:  # money: the value is the figure, most gifts small, a few large
            value = min(max(rng.lognormvariate(17, 1.1), unit_value[0]), unit_value[1])
            fields["value_vnd"] = int(round(value, -6))
            return fields
        amount = rng.randint(low, high)
        quantity = Decimal(amount).scaleb(-2) if hundredths else Decimal(amount)
        fields["quantity"] = quantity
        if unit_value and rng.random() < valued:
            fields["value_vnd"] = int(round(float(quantity) * rng.uniform(*unit_value), -5))
        if slug in ("qua-tang", "kham-chua-benh", "hoc-bong", "quan-ao"):
            fields["beneficiaries"] = amount
        return fields


class ActivityWriter:
    """Activities written from their fields: COPY on PostgreSQL, bulk_create elsewhere.

    A million Activity instances and the INSERT statements made from them cost minutes of
    Python; COPY takes plain rows. It goes through the same triggers and constraints as any
    insert. A field the generator does not set takes its default, prepared once.
    """

    def __init__(self, now):
        fields = [f for f in Activity._meta.concrete_fields if not f.primary_key]
        self.names = [f.attname for f in fields]
        self.defaults = [
            f.get_db_prep_save(
                now
                if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
                else f.get_default(),
                connection,
            )
            for f in fields
        ]
        quote = connection.ops.quote_name
        self.copy_sql = "COPY {} ({}) FROM STDIN".format(
            quote(Activity._meta.db_table), ", ".join(quote(f.column) for f in fields)
        )

    def write(self, activities):
        activities = map(self.with_search_key, activities)
        if connection.vendor != "postgresql":
            Activity.objects.bulk_create(
                (Activity(**fields) for fields in activities), batch_size=BATCH_SIZE
            )
            return
        names_defaults = list(zip(self.names, self.defaults, strict=True))
        with connection.cursor() as cursor, cursor.cursor.copy(self.copy_sql) as copy:
            for fields in activities:
                copy.write_row([fields.get(name, default) for name, default in names_defaults])

    @staticmethod
    def with_search_key(fields):
        """As Activity.save() would: the key of its texts."""
        fields["search_key"] = Activity.search_key_of(
            fields.get("description", ""), fields.get("recipient_detail", "")
        )
        return fields


def _apportion(total, weights, rng):
    """`total` split in proportion to `weights`, in whole numbers adding up to `total`."""
    scale = total / sum(weights)
    shares = [int(w * scale) for w in weights]
    rest = total - sum(shares)
    for i in rng.choices(range(len(weights)), weights=weights, k=rest):
        shares[i] += 1
    return shares


def _cumulative(values):
    running = 0.0
    for value in values:
        running += value
        yield running


def _day_between(rng, first, last):
    return first + datetime.timedelta(days=rng.randint(0, max(0, (last - first).days)))


def _add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Rơ Châm", "Ksor"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thanh", "Hữu", "Ngọc", "H'", ""]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hải", "Hương", "Lan", "Nam", "Phúc", "Thu", "Tuấn", "Blưi"]


def _person(rng):
    return " ".join(w for w in (rng.choice(SURNAMES), rng.choice(MIDDLE), rng.choice(GIVEN)) if w)


def _signatory_title(rng, locality_name):
    kind = locality_name.split(" ", 1)[0]
    if kind in ("Xã", "Phường", "Đặc"):
        return rng.choice(["Bí thư Đảng ủy", "Chủ tịch UBND"])
    if kind in ("Thôn", "Làng", "Buôn", "Plei", "Bản", "Bon", "Tổ"):
        return rng.choice(["Bí thư Chi bộ", "Trưởng thôn", "Già làng"])
    return rng.choice(["Thủ trưởng đơn vị", "Giám đốc", "Chính ủy", "Chỉ huy trưởng"])
