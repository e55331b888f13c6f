"""The open data: published agreements, their parties, commitments and activities, and the
twinning year (approved plans, review meetings, approved figures, outcome indicators) as
datasets.

Each dataset has stable, documented columns (English snake_case names; their meaning is shown on
/du-lieu/ in the reader's language) and yields its rows in a fixed number of queries, streamed
from the database (`values()` + `iterator()`), so memory stays bounded whatever the size.
Drafts never appear: every query of an agreement's records starts from the published
agreements; the approved figures and the localities' indicators are the province's, public as
its dashboards show them.

Writers turn a dataset into CSV (UTF-8 with a BOM, for Excel), JSON or XLSX. The licence of the
data is set here, once.
"""

import csv
import datetime
import itertools
import json
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from activities.models import (
    Activity,
    ActivityStatus,
    MeetingKind,
    NeedPriority,
    Plan,
    PlanStatus,
    Qualifier,
    TargetKind,
)
from activities.reports import (
    ItemStatus,
    all_approved_periods,
    all_outcome_values,
    all_public_needs,
    meetings_present,
    progress_of,
    published_meetings,
)
from activities.reports.needs import PUBLIC_STATUSES
from agreements.api import agreement_state
from agreements.filters import STATUS_CHOICES
from agreements.models import (
    Agreement,
    AgreementStatus,
    Commitment,
    DatePrecision,
    Party,
    PartyRole,
)
from localities.models import Locality, LocalityKind

# The data's licence: an open licence fit for government data, attribution required.
LICENCE_NAME = "CC BY 4.0"
LICENCE_TITLE = "Creative Commons Attribution 4.0 International"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"


def publisher():
    """Who publishes the data, as an attribution must name it."""
    return gettext("Twinning register of %(province)s") % {"province": settings.PROVINCE_NAME}


def licence():
    return {
        "name": LICENCE_NAME,
        "title": LICENCE_TITLE,
        "url": LICENCE_URL,
        "publisher": publisher(),
    }


def agreement_path(slug):
    """The agreement's public page, at its Vietnamese (canonical) address."""
    with translation.override(settings.LANGUAGE_CODE):
        return reverse("agreements:detail", kwargs={"slug": slug})


@dataclass(frozen=True)
class Column:
    name: str
    meaning: Promise
    example: str = ""
    choices: list = field(default_factory=list)

    @property
    def name_html(self):
        """The name with a break opportunity after each "_", for a narrow screen's table."""
        return breakable(self.name)

    @property
    def choices_html(self):
        return [(breakable(value), label) for value, label in self.choices]


def breakable(name):
    """'signed_at_place' → 'signed_<wbr>at_<wbr>place': a long name may wrap on a phone."""
    return format_html_join(mark_safe("_<wbr>"), "{}", ((part,) for part in name.split("_")))


@dataclass(frozen=True)
class Dataset:
    name: str  # in the download address: /du-lieu/<name>.<format>
    file_stem: str  # in the downloaded file's name: ket-nghia-<file_stem>-<date>.<format>
    title: Promise
    description: Promise
    columns: list
    rows: object  # rows(site_url) → an iterator of tuples in the columns' order

    @property
    def column_names(self):
        return [column.name for column in self.columns]


# Rows -----------------------------------------------------------------------------------------

# Every dataset lists agreements in the order they were signed; children keep their own order.
_BY_AGREEMENT = ("agreement__signed_on", "agreement_id")


PUBLISHED = AgreementStatus.PUBLISHED


def _groups(rows):
    """(agreement id, [values]) from rows of (agreement id, value) sorted by agreement."""
    for agreement_id, group in itertools.groupby(rows, key=lambda row: row[0]):
        yield agreement_id, [row[1] for row in group]


def _merge(groups):
    """A lookup for agreement ids met in increasing order of the shared sort key.

    The children are read in the agreements' order, so one pass over both streams joins them:
    memory holds one agreement's children at a time.
    """
    groups = iter(groups)
    pending = next(groups, None)

    def values_for(agreement_id):
        nonlocal pending
        if pending is not None and pending[0] == agreement_id:
            values = pending[1]
            pending = next(groups, None)
            return values
        return []

    return values_for


def agreement_rows(site_url=""):
    """Three queries, whatever the number of agreements."""
    today = timezone.localdate()
    agreements = (
        Agreement.objects.published()
        .order_by("signed_on", "id")
        .values_list("id", "slug", "title", "signed_on", "signed_at_place", "ended_on")
    )
    legal_basis = _merge(
        _groups(
            Agreement.legal_basis.through.objects.filter(agreement__status=PUBLISHED)
            .order_by(*_BY_AGREEMENT, "legaldocument__issued_on", "legaldocument__number")
            .values_list("agreement_id", "legaldocument__number")
            .iterator()
        )
    )
    parties = _merge(
        _groups(
            Party.objects.filter(agreement__status=PUBLISHED)
            .order_by(*_BY_AGREEMENT, "position", "id")
            .values_list("agreement_id", "locality__name")
            .iterator()
        )
    )
    for pk, slug, title, signed_on, place, ended_on in agreements.iterator():
        yield (
            slug,
            title,
            signed_on,
            place,
            ended_on,
            agreement_state(ended_on, today),
            "; ".join(legal_basis(pk)),
            "; ".join(parties(pk)),
            site_url + agreement_path(slug),
        )


def party_rows(site_url=""):
    return (
        Party.objects.filter(agreement__status=PUBLISHED)
        .order_by(*_BY_AGREEMENT, "position", "id")
        .values_list(
            "agreement__slug",
            "agreement__title",
            "locality__name",
            "locality__code",
            "locality__slug",
            "locality__kind",
            "role",
            "signatory_name",
            "signatory_title",
        )
        .iterator()
    )


def commitment_rows(site_url=""):
    return (
        Commitment.objects.filter(agreement__status=PUBLISHED)
        .order_by(*_BY_AGREEMENT, "position", "id")
        .values_list("agreement__slug", "area__name", "text")
        .iterator()
    )


def activity_rows(site_url=""):
    return (
        Activity.objects.published()
        .order_by(*_BY_AGREEMENT, "starts_on", "id")
        .values_list(
            "agreement__slug",
            "agreement__title",
            "activity_type__name",
            "activity_type__unit",
            "status",
            "starts_on",
            "ends_on",
            "date_precision",
            "quantity",
            "quantity_qualifier",
            "value_vnd",
            "value_qualifier",
            "giver__name",
            "giver__code",
            "recipient__name",
            "recipient__code",
            "recipient_detail",
            "funder__name",
            "beneficiaries",
            "description",
            "source__title",
        )
        .iterator()
    )


def plan_item_rows(site_url=""):
    """The items of the plans the province approved, of published agreements, each with what
    was done (activities.reports.plans): one query for every plan and item."""
    plans = Plan.objects.filter(
        status=PlanStatus.APPROVED, agreement__status=PUBLISHED
    ).select_related("agreement")
    found = sorted(
        progress_of(plans),
        key=lambda p: (p.plan.agreement.signed_on, p.plan.agreement_id, p.plan.year),
    )
    for plan in found:
        agreement = plan.plan.agreement
        for row in plan.items:
            item = row.item
            yield (
                agreement.slug,
                agreement.title,
                plan.plan.year,
                item.area.name,
                item.description,
                item.responsible.name if item.responsible else "",
                item.target_kind,
                item.activity_type.name if item.activity_type else "",
                item.activity_type.unit if item.activity_type else "",
                item.target_quantity,
                item.target_vnd,
                item.due_on,
                row.actual,
                row.qualifier,
                row.percent,
                row.status,
                item.dropped_reason,
            )


def meeting_rows(site_url=""):
    """The review meetings of published agreements with the parties present and how many
    decisions were taken and done (activities.reports.cycle): two queries, joined in one pass."""
    present = _merge(_groups(meetings_present()))
    for pk, slug, title, kind, held_on, place, decisions, done in published_meetings():
        yield (slug, title, kind, held_on, place, "; ".join(present(pk)), decisions, done)


def period_rows(site_url=""):
    """The years' figures the province approved and locked, by scope: one query."""
    for approval in all_approved_periods():
        locality = approval.locality
        yield (
            approval.year,
            locality.name if locality else settings.PROVINCE_NAME,
            locality.code if locality else "",
            locality.slug if locality else "",
            timezone.localdate(approval.approved_at),
        )


def outcome_rows(site_url=""):
    return all_outcome_values()


def locality_rows(site_url=""):
    """The localities and units of the register, and those party to a published agreement
    (villages, units, agencies staff added), with their points: one query, streamed. A
    village or unit named only by a draft stays out."""
    in_published = Party.objects.filter(agreement__status=PUBLISHED).values("locality_id")
    rows = (
        Locality.objects.filter(Q(code__isnull=False) | Q(pk__in=in_published))
        .order_by("kind", "code", "name", "pk")
        .values_list(
            "slug",
            "name",
            "kind",
            "code",
            "parent__slug",
            "is_ethnic_minority_area",
            "latitude",
            "longitude",
            "dissolved_on",
        )
        .iterator(chunk_size=2000)
    )
    for slug, name, kind, code, parent, minority, *rest in rows:
        # "true"/"false" alike in the three formats (a spreadsheet would show its own words).
        yield (slug, name, kind, code, parent, "true" if minority else "false", *rest)


# Datasets -------------------------------------------------------------------------------------

_AGREEMENT_SLUG = Column(
    "agreement_slug",
    _("The agreement's identifier: the last part of its page's address."),
    "xa-ia-dok-phuong-an-nhon-bac-2025",
)
_AGREEMENT_TITLE = Column(
    "agreement_title", _("The agreement's title."), "Xã Ia Dơk – Phường An Nhơn Bắc"
)
_QUALIFIERS = Qualifier.choices
_DATE = _("Date in the form YYYY-MM-DD.")
_CODE = _("Official code of the administrative unit (national statistics catalogue), if any.")
_SLUG = _("The locality's identifier: the last part of its page's address.")

AGREEMENTS = Dataset(
    name="agreements",
    file_stem="giao-uoc",
    title=_("Agreements"),
    description=_("One row per published agreement, in the order they were signed."),
    columns=[
        Column(
            "slug",
            _("The agreement's identifier: the last part of its page's address."),
            "xa-ia-dok-phuong-an-nhon-bac-2025",
        ),
        Column("title", _("Title."), "Xã Ia Dơk – Phường An Nhơn Bắc"),
        Column("signed_on", _("Date signed (YYYY-MM-DD)."), "2025-12-27"),
        Column("signed_at_place", _("Place of signing, when known."), "Xã Ia Dơk"),
        Column("ended_on", _("Date the twinning ended (YYYY-MM-DD); empty while in force."), ""),
        Column(
            "status",
            _("Whether the agreement is in force or has ended."),
            "in_force",
            STATUS_CHOICES,
        ),
        Column(
            "legal_basis",
            _("Numbers of the documents it was signed under, separated by “; ”."),
            "03-CT/TU; 43/KH-UBND",
        ),
        Column(
            "parties",
            _("Names of the parties, separated by “; ”, in the agreement's order."),
            "Xã Ia Dơk; Phường An Nhơn Bắc",
        ),
        Column(
            "url",
            _("Full address of the agreement's public page."),
            "https://…/giao-uoc/xa-ia-dok-phuong-an-nhon-bac-2025/",
        ),
    ],
    rows=agreement_rows,
)

PARTIES = Dataset(
    name="parties",
    file_stem="ben-ket-nghia",
    title=_("Parties"),
    description=_(
        "One row per party to a published agreement: the locality or unit, its role and its "
        "signatory."
    ),
    columns=[
        _AGREEMENT_SLUG,
        _AGREEMENT_TITLE,
        Column("locality_name", _("Name of the locality or unit."), "Làng Ghè"),
        Column("locality_code", _CODE, "23869"),
        Column("locality_slug", _SLUG, "lang-ghe-xa-ia-dok"),
        Column("locality_kind", _("Kind of locality or unit."), "village", LocalityKind.choices),
        Column("role", _("Role in the agreement."), PartyRole.PARTY, PartyRole.choices),
        Column("signatory_name", _("Who signed for this party, when known."), ""),
        Column("signatory_title", _("The signatory's title."), "Bí thư Đảng ủy xã"),
    ],
    rows=party_rows,
)

COMMITMENTS = Dataset(
    name="commitments",
    file_stem="cam-ket",
    title=_("Commitments"),
    description=_("One row per commitment of a published agreement: its area and its words."),
    columns=[
        _AGREEMENT_SLUG,
        Column("area", _("Area of the commitment."), "Quốc phòng – an ninh"),
        Column(
            "text",
            _("The commitment in the agreement's words."),
            "Tổ chức các hoạt động giao lưu văn hóa - văn nghệ, thể dục - thể thao.",
        ),
    ],
    rows=commitment_rows,
)

ACTIVITIES = Dataset(
    name="activities",
    file_stem="hoat-dong",
    title=_("Activities"),
    description=_(
        "One row per activity of a published agreement: what was given or done, by whom, for "
        "whom, when, how much. A figure carries its qualifier (“over 500,000,000 đ” is 500000000 "
        "with the qualifier “over”)."
    ),
    columns=[
        _AGREEMENT_SLUG,
        _AGREEMENT_TITLE,
        Column("activity_type", _("Type of activity."), "Nhà ở"),
        Column("unit", _("Unit of the quantity."), "căn"),
        Column(
            "status",
            _("Whether it was pledged or delivered."),
            ActivityStatus.DELIVERED,
            ActivityStatus.choices,
        ),
        Column("starts_on", _("Date, or start of the period (YYYY-MM-DD)."), "2003-07-26"),
        Column(
            "ends_on", _("End of the period (YYYY-MM-DD); empty for a single date."), "2023-07-01"
        ),
        Column(
            "date_precision",
            _("How much of the dates the source gives: the day, the month only, or the year only."),
            DatePrecision.MONTH,
            DatePrecision.choices,
        ),
        Column("quantity", _("Quantity, in the unit; a number with “.” for decimals."), "8"),
        Column(
            "quantity_qualifier",
            _("How exact the quantity is."),
            Qualifier.EXACT,
            _QUALIFIERS,
        ),
        Column("value_vnd", _("Value in Vietnamese dong (VND), a whole number."), "500000000"),
        Column("value_qualifier", _("How exact the value is."), Qualifier.OVER, _QUALIFIERS),
        Column(
            "giver_name",
            _("Who gave it; empty when the parties acted jointly."),
            "Phường An Nhơn Bắc",
        ),
        Column("giver_code", _("The giver's official code, if any."), "21925"),
        Column("recipient_name", _("Who received it."), "Làng Ghè"),
        Column("recipient_code", _("The recipient's official code, if any."), ""),
        Column(
            "recipient_detail",
            _("The recipients in detail, as the source says."),
            "Gia đình có công cách mạng, hộ nghèo",
        ),
        Column("funder", _("Who paid, when someone other than the giver did."), ""),
        Column("beneficiaries", _("Number of people who benefited, when known."), "40"),
        Column(
            "description",
            _("What was given or done, in words."),
            "Phường An Nhơn Bắc hỗ trợ bà con làng Ghè 50 triệu đồng.",
        ),
        Column(
            "source_title",
            _("Title of the source (press article or report)."),
            "Xã Ia Dơk và phường An Nhơn Bắc ký kết giao ước kết nghĩa",
        ),
    ],
    rows=activity_rows,
)

PLAN_ITEMS = Dataset(
    name="plan-items",
    file_stem="ke-hoach-nam",
    title=_("Annual plans"),
    description=_(
        "One row per item of an annual plan approved by the province, of a published agreement: "
        "what is to be done, its target, and what was done, counted from the delivered "
        "activities recorded against it within the year."
    ),
    columns=[
        _AGREEMENT_SLUG,
        _AGREEMENT_TITLE,
        Column("year", _("The plan's year."), "2026"),
        Column("area", _("Area of the commitment."), "An sinh xã hội"),
        Column("description", _("What is to be done."), "Xây 2 căn nhà Đại đoàn kết"),
        Column("done_by", _("The party that does it; empty when the parties do it together."), ""),
        Column(
            "target_kind",
            _("A quantity in a type's unit, a sum in VND, or a task done or not."),
            TargetKind.QUANTITY,
            TargetKind.choices,
        ),
        Column("activity_type", _("For a quantity: the type of support."), "Nhà ở"),
        Column("unit", _("Unit of the quantity."), "căn"),
        Column("target_quantity", _("Target quantity, in the unit."), "2"),
        Column("target_vnd", _("Target sum in Vietnamese dong (VND)."), ""),
        Column("due_on", _DATE, "2026-09-30"),
        Column(
            "done",
            _(
                "What was done: the quantity or the sum of the delivered activities recorded "
                "against the item within the year; for a task, how many."
            ),
            "1",
        ),
        Column("done_qualifier", _("How exact what was done is."), Qualifier.EXACT, _QUALIFIERS),
        Column("percent", _("The share of the target, rounded down."), "50"),
        Column("status", _("On track, late, done or dropped."), "on_track", ItemStatus.CHOICES),
        Column("dropped_reason", _("Why the item was dropped."), ""),
    ],
    rows=plan_item_rows,
)

MEETINGS = Dataset(
    name="meetings",
    file_stem="hop-danh-gia",
    title=_("Review meetings"),
    description=_(
        "One row per review meeting of a published agreement (regular meeting, six-month or "
        "year-end review): when and where it was held, the parties present, and how many "
        "decisions it took and how many of them are done. The minutes and the names of the "
        "people present are not published."
    ),
    columns=[
        _AGREEMENT_SLUG,
        _AGREEMENT_TITLE,
        Column("kind", _("Kind of meeting."), MeetingKind.HALF_YEAR, MeetingKind.choices),
        Column("held_on", _DATE, "2026-07-15"),
        Column("place", _("Where it was held."), "Hội trường UBND xã Ia Dơk"),
        Column(
            "parties_present",
            _("The parties present, separated by “; ”."),
            "Xã Ia Dơk; Phường An Nhơn Bắc",
        ),
        Column("decisions", _("How many decisions to follow up the meeting took."), "3"),
        Column("decisions_done", _("How many of those decisions are done."), "1"),
    ],
    rows=meeting_rows,
)

APPROVED_PERIODS = Dataset(
    name="approved-periods",
    file_stem="so-lieu-da-duyet",
    title=_("Approved figures"),
    description=_(
        "One row per year whose figures the province approved and locked, for the whole "
        "province or for a commune, a ward or a unit (its agreements: those with a party in it "
        "or below it). While approved, the activities of that year in that scope are not "
        "changed."
    ),
    columns=[
        Column("year", _("The year whose figures were approved."), "2025"),
        Column(
            "scope_name",
            _("The commune, ward or unit approved, or the province's name for all of it."),
            "Xã Ia Dơk",
        ),
        Column("scope_code", _CODE, "23869"),
        Column("scope_slug", _SLUG, "xa-ia-dok"),
        Column("approved_on", _("The day of the approval (YYYY-MM-DD)."), "2026-02-10"),
    ],
    rows=period_rows,
)

OUTCOMES = Dataset(
    name="outcomes",
    file_stem="chi-so-dia-phuong",
    title=_("Outcome indicators"),
    description=_(
        "One row per value of an indicator the province follows for a locality and a year "
        "(poverty rate, new-rural status, households with clean water…), with its source and "
        "date. They describe how a locality is doing, beside what it received: they are not "
        "an effect of twinning."
    ),
    columns=[
        Column("locality_name", _("The locality."), "Xã Ia Dơk"),
        Column("locality_code", _CODE, "23869"),
        Column("locality_slug", _SLUG, "xa-ia-dok"),
        Column("indicator", _("The indicator."), "Tỷ lệ hộ nghèo"),
        Column("unit", _("The indicator's unit; empty for a status in words."), "%"),
        Column("year", _("The year of the value."), "2025"),
        Column(
            "value", _("The value, a number with “.” for decimals; empty for a status."), "12.5"
        ),
        Column("status", _("The status in words, for an indicator told in words."), ""),
        Column("source", _("Where the value comes from."), "Cục Thống kê tỉnh Gia Lai"),
        Column("as_of", _("The day the source gives the value for (YYYY-MM-DD)."), "2025-12-31"),
    ],
    rows=outcome_rows,
)

LOCALITIES = Dataset(
    name="localities",
    file_stem="dia-phuong",
    title=_("Localities and units"),
    description=_(
        "One row per locality or unit: the provinces, communes, wards and special zones of the "
        "official register, the former district-level units, and the villages, military units "
        "and agencies the published agreements name; with its point (a unit's centroid, or the "
        "one staff entered) in decimal degrees."
    ),
    columns=[
        Column("slug", _SLUG, "xa-ia-dok"),
        Column("name", _("Name of the locality or unit."), "Xã Ia Dơk"),
        Column("kind", _("Kind of locality or unit."), "commune", LocalityKind.choices),
        Column("code", _CODE, "23869"),
        Column("parent_slug", _("The identifier of the unit it belongs to."), "tinh-gia-lai"),
        Column(
            "ethnic_minority_area",
            _("In an ethnic-minority area (Plan 43/KH-UBND): true or false."),
            "true",
        ),
        Column("latitude", _("Latitude in decimal degrees (WGS 84); empty if unknown."), "13.94"),
        Column(
            "longitude", _("Longitude in decimal degrees (WGS 84); empty if unknown."), "107.91"
        ),
        Column("dissolved_on", _("For a former unit, the day it was dissolved."), ""),
    ],
    rows=locality_rows,
)

NEED_STATUSES = [(status.value, status.label) for status in PUBLIC_STATUSES]
NEED_PRIORITIES = [(str(value), label) for value, label in NeedPriority.choices]

NEEDS = Dataset(
    name="needs",
    file_stem="noi-can-ket-nghia",
    title=_("The needs board"),
    description=_(
        "One row per need a village, commune, ward or special zone posted, still open or "
        "taken up by a unit (withdrawn needs are left out): what, the area, the priority, the "
        "quantity and estimated cost asked for (not what was received) and how many offers of "
        "support it has."
    ),
    columns=[
        Column("id", _("The need's number, in its address."), "12"),
        Column("title", _("What is needed."), "Sửa nhà văn hoá làng"),
        Column("place_name", _("The place in need."), "Làng Ghè"),
        Column("place_code", _CODE, ""),
        Column("place_slug", _SLUG, "lang-ghe-xa-ia-dok"),
        Column("area", _("The area of need: a commitment area's identifier."), "an-sinh-xa-hoi"),
        Column("priority", _("1 urgent, 2 high, 3 normal."), "1", NEED_PRIORITIES),
        Column("status", _("Still needed or taken up by a unit."), "open", NEED_STATUSES),
        Column("activity_type", _("The kind of support, for a quantity."), "nha-o"),
        Column("unit", _("The quantity's unit."), "căn"),
        Column("quantity", _("The quantity asked for."), "2"),
        Column("value_vnd", _("The estimated cost, in VND."), "80000000"),
        Column("posted_on", _("The day it was posted (YYYY-MM-DD)."), "2026-12-06"),
        Column("offers", _("How many offers of support it has (declined ones left out)."), "1"),
        Column("url", _("Its page on this site."), "https://…/can-ket-nghia/12/"),
    ],
    rows=all_public_needs,
)

DATASETS = {
    dataset.name: dataset
    for dataset in (
        AGREEMENTS,
        PARTIES,
        COMMITMENTS,
        ACTIVITIES,
        PLAN_ITEMS,
        MEETINGS,
        APPROVED_PERIODS,
        OUTCOMES,
        LOCALITIES,
        NEEDS,
    )
}


# Writers --------------------------------------------------------------------------------------

# A cell starting with one of these is a formula to a spreadsheet (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text that a spreadsheet would run as a formula, made plain text by a leading "'"."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _number(value):
    """Decimal('8.00') → 8, Decimal('7.50') → 7.5: numbers as people write them."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _text(value):
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(_number(value))
    return neutralise(value) if isinstance(value, str) else str(value)


class _Line:
    """A file-like object csv.writer writes one line into, handed straight back."""

    def write(self, value):
        return value


def csv_lines(dataset, site_url=""):
    """The dataset as CSV lines: a UTF-8 BOM (Excel then reads Vietnamese right), a header row."""
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(dataset.column_names)
    for row in dataset.rows(site_url):
        yield writer.writerow([_text(value) for value in row])


def _json_value(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    return _number(value)


def json_chunks(dataset, site_url=""):
    """{"licence": …, "generated_at": …, "dataset": …, "columns": […], "rows": [{…}, …]}."""
    head = json.dumps(
        {
            "licence": licence(),
            "generated_at": timezone.localtime().isoformat(timespec="seconds"),
            "dataset": dataset.name,
            "columns": dataset.column_names,
        },
        ensure_ascii=False,
    )
    yield head[:-1] + ', "rows": ['
    names = dataset.column_names
    for n, row in enumerate(dataset.rows(site_url)):
        record = {name: _json_value(value) for name, value in zip(names, row, strict=True)}
        yield ("," if n else "") + "\n" + json.dumps(record, ensure_ascii=False)
    yield "\n]}\n"


def xlsx_file(dataset, site_url=""):
    """The dataset as a one-sheet workbook in a temporary file (openpyxl's write-only mode).

    The header row is bold and frozen; numbers are numbers and dates are dates.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(dataset.name)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def header(name):
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        return cell

    def date(value):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell

    def cell(value):
        if isinstance(value, datetime.date):
            return date(value)
        if isinstance(value, Decimal):
            return _number(value)
        if isinstance(value, str):
            # Control characters pasted from elsewhere are not allowed in XLSX; a cell holds
            # at most 32,767 characters.
            return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value)[:XLSX_CELL_MAX])
        return value

    sheet.append([header(name) for name in dataset.column_names])
    for row in dataset.rows(site_url):
        sheet.append([cell(value) for value in row])
    output = tempfile.TemporaryFile()  # noqa: SIM115 (the FileResponse sending it closes it)
    workbook.save(output)
    output.seek(0)
    return output


XLSX_CELL_MAX = 32767

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

FORMAT_NAMES = {
    "csv": pgettext_lazy("file format", "CSV"),
    "json": pgettext_lazy("file format", "JSON"),
    "xlsx": pgettext_lazy("file format", "Excel (XLSX)"),
}


def file_name(dataset, fmt, today=None):
    """ket-nghia-giao-uoc-2026-11-21.csv"""
    today = today or timezone.localdate()
    return f"ket-nghia-{dataset.file_stem}-{today.isoformat()}.{fmt}"
