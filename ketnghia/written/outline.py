"""A written report as a sequence of blocks (headings, paragraphs, numbered tables, photos),
built once from what staff wrote (ketnghia.models.WrittenReport) and what the reports
package counts (activities.reports.written): the .docx (docx.py) and the PDF (pdf.py) lay out
the same blocks, so that both files say the same, figure for figure.

The structure is the usual one of a review report: the legal grounds; I. the situation; II.
the results by commitment area, type and year, against the plan where there is one; III.
strengths and shortcomings; IV. lessons; V. direction; VI. proposals, with the awards; then the
appendices, numbered apart (sources, photos).
"""

import base64
import copy
import io
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Case, When
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image, UnidentifiedImageError

from activities.figures import format_number, format_quantity, format_vnd
from activities.models import AwardForm, TargetKind
from activities.reports import ItemStatus
from activities.reports import written as counted
from agreements.dates import format_date, format_period
from agreements.models import AgreementStatus, PartyRole
from ketnghia.models import ReportKind, ReportScope
from localities.models import LocalityKind

logger = logging.getLogger(__name__)

DOTS = "…" * 28  # a part staff left empty: a line to write on


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1: "I. …" in bold capitals; 2: "1. …" in bold
    kind = "heading"


@dataclass(frozen=True)
class Paragraph:
    text: str
    italic: bool = False
    bold_lead: str = ""  # bold words the paragraph opens with
    kind = "paragraph"


@dataclass(frozen=True)
class Table:
    number: int
    caption: str
    header: list
    rows: list  # [[str]]
    numeric: tuple = ()  # columns aligned right
    widths: tuple = ()  # relative widths of the columns
    total: list | None = None
    notes: list = field(default_factory=list)
    kind = "table"

    @property
    def cells(self):
        """The rows as [(text, numeric)], for the HTML."""
        return [self._marked(row) for row in self.rows]

    @property
    def total_cells(self):
        return self._marked(self.total) if self.total else []

    def _marked(self, row):
        return [(value, n in self.numeric) for n, value in enumerate(row)]


@dataclass(frozen=True)
class Figure:
    number: int
    image: bytes  # a JPEG
    width: int
    height: int
    caption: str
    credit: str
    kind = "figure"

    @property
    def data_uri(self):
        return "data:image/jpeg;base64," + base64.b64encode(self.image).decode("ascii")


ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]


@dataclass(frozen=True)
class Appendix:
    label: str  # "Phụ lục I" (appendix_label)
    title: str
    blocks: list


def _number_written(number):
    """A report's number as a sentence cites it: '15/BC-UBND', or '…/BC-UBND' while the
    number itself is still to be written in."""
    number = number.strip()
    return f"…{number}" if not number or number.startswith("/") else number


def appendix_label(number):
    """'Phụ lục I': appendices are numbered in Roman figures (Decree 30/2020)."""
    roman = ROMAN[number - 1] if number <= len(ROMAN) else str(number)
    return _("Appendix %(number)s") % {"number": roman}


@dataclass(frozen=True)
class Document:
    language: str
    issuer_parent: str
    issuer: str
    number: str
    place_date: str
    title: str  # "BÁO CÁO"
    subject: str
    draft_note: str  # a staff report that counts drafts says so under its subject
    grounds: list  # [str]
    body: list  # blocks
    recipients: list  # [str]
    signer_authority: str
    signer_position: str
    signer_name: str
    appendices: list  # [Appendix]
    attached_to: str  # under an appendix's title: "(Kèm theo Báo cáo số … ngày … của …)"
    filename: str  # without the extension


def long_date(place, day):
    """'Gia Lai, ngày 05 tháng 01 năm 2026' (Decree 30/2020: days under 10 and the months
    January and February with a zero); in English, 'Gia Lai, 5 January 2026'."""
    if translation.get_language() != "vi":
        return f"{place}, {formats.date_format(day, 'j F Y')}"
    return f"{place}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def _paragraphs(text):
    parts = [line.strip() for line in text.replace("\r\n", "\n").split("\n")]
    return [Paragraph(p) for p in parts if p] or [Paragraph(DOTS)]


def _years(content):
    first = content.first_year
    if first is None:
        return _("to %(year)s") % {"year": content.year_to}
    if first == content.year_to:
        return str(first)
    return f"{first}\N{EN DASH}{content.year_to}"


def _parties(pair):
    """'Xã Ia Dơk và Phường An Nhơn Bắc'; an agreement without parties yet, by its title."""
    names = [locality.name for locality in pair.parties]
    if not names:
        return pair.agreement.title_shown
    return _(" and ").join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else names[0]


def _scope_words(report, content):
    if report.scope == ReportScope.AGREEMENT:
        return _("the twinning agreement between %(parties)s") % {
            "parties": _parties(content.agreements.rows[0])
        }
    if report.scope == ReportScope.LOCALITY:
        return _("the twinning of %(locality)s") % {"locality": content.locality.name}
    return _("twinning in %(province)s province") % {"province": settings.PROVINCE_NAME}


def _span(report, content):
    """How many years a review covers: since the signing, the years elapsed (20 years from
    2003 to 2023, the anniversary); over chosen years, each of them (5 years from 2021 to
    2025)."""
    first = content.first_year
    if first is None:
        return 0
    agreement = content.agreement
    if report.year_from is None or (
        agreement is not None and agreement.signed_on and agreement.signed_on.year == first
    ):
        return content.year_to - first
    return content.year_to - first + 1


def subject(report, content):
    """'Tổng kết 20 năm thực hiện giao ước kết nghĩa giữa Sư đoàn 320 và TP. Pleiku
    (2003–2023)', unless staff wrote their own."""
    if report.subject.strip():
        return report.subject.strip()
    words = {"scope": _scope_words(report, content), "years": _years(content)}
    first = content.first_year
    if report.kind == ReportKind.ANNUAL:
        if first == content.year_to:
            return _("Results of %(scope)s in %(years)s") % words
        return _("Results of %(scope)s (%(years)s)") % words
    span = _span(report, content)
    if report.kind == ReportKind.FINAL:
        if span > 0:
            return ngettext(
                "Final review of %(span)s year of %(scope)s (%(years)s)",
                "Final review of %(span)s years of %(scope)s (%(years)s)",
                span,
            ) % {**words, "span": span}
        return _("Final review of %(scope)s (%(years)s)") % words
    if span > 0:
        return ngettext(
            "Interim review of %(span)s year of %(scope)s (%(years)s)",
            "Interim review of %(span)s years of %(scope)s (%(years)s)",
            span,
        ) % {**words, "span": span}
    return _("Interim review of %(scope)s (%(years)s)") % words


def _grounds(report, content):
    found = []
    for document in content.legal_basis:
        found.append(
            _("Pursuant to %(kind)s No. %(number)s of %(date)s of %(issuer)s on %(title)s;")
            % {
                "kind": document.get_kind_display(),
                "number": document.number,
                "date": formats.date_format(document.issued_on, "SHORT_DATE_FORMAT"),
                "issuer": document.issuer,
                "title": _subject_of(document),
            }
        )
    for pair in content.agreements.rows[:3] if report.scope == ReportScope.AGREEMENT else []:
        agreement = pair.agreement
        if agreement.signed_on:
            found.append(
                _("Pursuant to the twinning agreement between %(parties)s signed on %(date)s;")
                % {
                    "parties": _parties(pair),
                    "date": formats.date_format(agreement.signed_on, "SHORT_DATE_FORMAT"),
                }
            )
    return found


def _subject_of(document):
    """What a legal document is about, without the words its title opens with: "Chỉ thị về
    tăng cường…" is cited "Chỉ thị số 03-CT/TU … về tăng cường…"."""
    title = document.title.strip()
    kind = str(document.get_kind_display())
    if title.lower().startswith(kind.lower()):
        title = title[len(kind) :].strip()
    for opening in ("về ", "on "):
        if title.lower().startswith(opening):
            title = title[len(opening) :]
    return title[:1].lower() + title[1:]


class _Numbers:
    def __init__(self):
        self.table = 0
        self.figure = 0

    def next_table(self):
        self.table += 1
        return self.table

    def next_figure(self):
        self.figure += 1
        return self.figure


def _draft(agreement):
    return agreement.status == AgreementStatus.DRAFT


def _agreement_name(agreement):
    name = agreement.title_shown
    if _draft(agreement):
        return _("%(name)s (draft, not published)") % {"name": name}
    return name


def _situation(report, content, numbers):
    blocks = [Heading(_("I. Situation"))]
    if report.scope == ReportScope.AGREEMENT:
        pair = content.agreements.rows[0]
        agreement = pair.agreement
        words = _("The twinning agreement between %(parties)s") % {"parties": _parties(pair)}
        if agreement.signed_on:
            words += " " + _("was signed on %(date)s") % {
                "date": formats.date_format(agreement.signed_on, "SHORT_DATE_FORMAT")
            }
            if agreement.signed_at_place:
                words += " " + _("at %(place)s") % {"place": agreement.signed_at_place}
        if pair.coordinators:
            words += "; " + _("coordinated by %(names)s") % {
                "names": ", ".join(c.name for c in pair.coordinators)
            }
        blocks.append(Paragraph(words + "."))
        if _draft(agreement):
            blocks.append(Paragraph(_("This agreement is a draft, not yet published."), True))
    else:
        pairs = content.agreements
        if not pairs.total:
            blocks.append(Paragraph(_("No twinning agreement is counted in the period.")))
            blocks.extend(_paragraphs(report.situation) if report.situation.strip() else [])
            return blocks
        blocks.append(
            Paragraph(
                ngettext(
                    "In the period, %(count)s twinning agreement is counted:",
                    "In the period, %(count)s twinning agreements are counted:",
                    pairs.total,
                )
                % {"count": format_number(pairs.total)}
            )
        )
        if pairs.rows:
            blocks.append(
                Table(
                    number=numbers.next_table(),
                    caption=_("Twinning agreements"),
                    header=[_("No."), _("Agreement"), _("Signed on")],
                    rows=[
                        [
                            str(n),
                            _agreement_name(pair.agreement),
                            format_date(pair.agreement.signed_on),
                        ]
                        for n, pair in enumerate(pairs.rows, 1)
                    ],
                    widths=(1, 8, 3),
                    notes=[_more(pairs.more)] if pairs.more else [],
                )
            )
    blocks.extend(_paragraphs(report.situation) if report.situation.strip() else [])
    return blocks


def _more(count):
    return ngettext(
        "%(count)s more is not listed here.", "%(count)s more are not listed here.", count
    ) % {"count": format_number(count)}


def _type_rows(by_type):
    return [
        [
            str(n),
            t.name,
            t.quantity_display or "—",
            t.value_display or "—",
        ]
        for n, t in enumerate(by_type, 1)
    ]


def _type_notes(results):
    notes = [f"{t.name}: {t.quantity_note}." for t in results.by_type if t.quantity_note]
    if results.money.note:
        notes.append(results.money.note)
    if results.left_out.activities:
        notes.append(
            ngettext(
                "%(count)s figure over a period that the chosen years cut is in no total.",
                "%(count)s figures over a period that the chosen years cut are in no total.",
                results.left_out.activities,
            )
            % {"count": results.left_out.activities}
        )
    return notes


def _results(report, content, numbers):
    blocks = [Heading(_("II. Results"))]
    if report.results.strip():
        blocks.extend(_paragraphs(report.results))
    delivered, years = content.delivered, _years(content)
    blocks.append(Heading(_("1. Results by commitment area"), 2))
    if report.scope == ReportScope.AGREEMENT:
        blocks.extend(_agreement_areas(content))
    else:
        blocks.append(
            Table(
                number=numbers.next_table(),
                caption=_("Delivered by commitment area, %(years)s") % {"years": years},
                header=[_("No."), _("Commitment area"), _("Agreements"), _("Value delivered")],
                rows=[
                    [str(n), bar.area.label, format_number(bar.agreements), bar.money.display]
                    for n, bar in enumerate(delivered.by_area, 1)
                ],
                numeric=(2, 3),
                widths=(1, 6, 2, 4),
                notes=[
                    _(
                        "An agreement with commitments in several areas counts in each of "
                        "them: the rows are not added up."
                    )
                ],
            )
        )
    blocks.append(Heading(_("2. Results by kind of support"), 2))
    blocks.append(
        Table(
            number=numbers.next_table(),
            caption=_("Delivered by kind of support, %(years)s") % {"years": years},
            header=[_("No."), _("Support"), _("Quantity"), _("Value")],
            rows=_type_rows(delivered.by_type),
            numeric=(2, 3),
            widths=(1, 6, 3, 4),
            total=["", _("Total value"), "", delivered.money.display],
            notes=_type_notes(delivered),
        )
    )
    blocks.append(Heading(_("3. Results by year"), 2))
    blocks.append(
        Table(
            number=numbers.next_table(),
            caption=_("Delivered by year, %(years)s") % {"years": years},
            header=[_("Year or period"), _("Activities"), _("Value")],
            rows=[
                [bar.label, format_number(bar.activities), bar.money.display]
                for bar in delivered.by_year
            ],
            numeric=(1, 2),
            widths=(4, 3, 5),
            notes=[
                _(
                    "A figure reported over several years has a row of its own and is never "
                    "split into years."
                )
            ],
        )
    )
    section = 4
    if content.pledged.by_type:
        blocks.append(Heading(_("%(n)s. Pledged, not yet delivered") % {"n": section}, 2))
        section += 1
        blocks.append(
            Table(
                number=numbers.next_table(),
                caption=_("Pledged by kind of support, %(years)s") % {"years": years},
                header=[_("No."), _("Support"), _("Quantity"), _("Value")],
                rows=_type_rows(content.pledged.by_type),
                numeric=(2, 3),
                widths=(1, 6, 3, 4),
                total=["", _("Total value pledged"), "", content.pledged.money.display],
                notes=[
                    _("Pledges are never added to what was delivered."),
                    *_type_notes(content.pledged),
                ],
            )
        )
    if content.plans:
        blocks.append(Heading(_("%(n)s. Against the yearly plans") % {"n": section}, 2))
        section += 1
        for progress in content.plans:
            blocks.append(_plan_table(progress, numbers, report.scope))
    if content.works.rows:
        blocks.append(Heading(_("%(n)s. Main works") % {"n": section}, 2))
        section += 1
        blocks.append(
            Table(
                number=numbers.next_table(),
                caption=_("Works delivered, %(years)s") % {"years": years},
                header=[_("No."), _("Work"), _("Where, for whom"), _("When"), _("Size, value")],
                rows=[_work_row(n, a, report.scope) for n, a in enumerate(content.works.rows, 1)],
                numeric=(4,),
                widths=(1, 5, 3, 3, 3),
                notes=[_more(content.works.more)] if content.works.more else [],
            )
        )
    if content.meetings.rows:
        blocks.append(Heading(_("%(n)s. Meetings held") % {"n": section}, 2))
        section += 1
        blocks.append(
            Table(
                number=numbers.next_table(),
                caption=_("Meetings and reviews, %(years)s") % {"years": years},
                header=[_("No."), _("Date"), _("Meeting"), _("Agreement"), _("Decisions")],
                rows=[
                    [
                        str(n),
                        format_date(m.held_on),
                        m.get_kind_display() + (f" ({m.place})" if m.place else ""),
                        _agreement_name(m.agreement),
                        format_number(m.decisions),
                    ]
                    for n, m in enumerate(content.meetings.rows, 1)
                ],
                numeric=(4,),
                widths=(1, 2, 4, 5, 2),
                notes=[_more(content.meetings.more)] if content.meetings.more else [],
            )
        )
    return blocks


def _agreement_areas(content):
    """An agreement's commitments, area by area, in its own words, with the value of the
    activities recorded under a plan item of the area, when there are some."""
    values = {bar.area.pk: bar.money for bar in content.delivered.by_area}
    blocks = []
    for area_words in content.commitments:
        money = values.get(area_words.area.pk)
        words = " ".join(area_words.words)
        if money is not None and money.valued:
            words += " " + _("Delivered under the plans' items of this area: %(value)s.") % {
                "value": money.display
            }
        blocks.append(Paragraph(" " + words, bold_lead=f"{area_words.area.label}:"))
    return blocks or [Paragraph(_("The agreement records no commitment in words."), True)]


def _under(agreement, scope):
    """' (Giao ước …)' after a row of a report on more than one agreement, or on a draft."""
    if scope == ReportScope.AGREEMENT and not _draft(agreement):
        return ""
    return f" ({_agreement_name(agreement)})"


def _work_row(n, activity, scope):
    kind = activity.activity_type
    size = []
    if activity.quantity is not None:
        size.append(
            format_quantity(
                activity.quantity, kind.unit_for(activity.quantity), activity.quantity_qualifier
            )
        )
    if activity.value_vnd is not None:
        size.append(format_vnd(activity.value_vnd, activity.value_qualifier))
    where = ", ".join(
        part
        for part in [
            activity.recipient.name if activity.recipient else "",
            activity.recipient_detail,
        ]
        if part
    )
    return [
        str(n),
        kind.label
        + (f": {activity.description}" if activity.description else "")
        + _under(activity.agreement, scope),
        where or "—",
        format_period(activity.starts_on, activity.ends_on, activity.date_precision),
        " · ".join(size) or "—",
    ]


def _target(item):
    if item.target_kind == TargetKind.MONEY and item.target_vnd is not None:
        return format_vnd(item.target_vnd)
    if item.target_kind == TargetKind.QUANTITY and item.target_quantity is not None:
        unit = item.activity_type.unit if item.activity_type_id else ""
        return format_quantity(item.target_quantity, unit)
    return _("a milestone")


def _actual(progress):
    item = progress.item
    if item.target_kind == TargetKind.MONEY:
        return format_vnd(progress.actual, progress.qualifier)
    if item.target_kind == TargetKind.QUANTITY:
        unit = item.activity_type.unit if item.activity_type_id else ""
        return format_quantity(progress.actual, unit, progress.qualifier)
    return ngettext("%(count)s activity", "%(count)s activities", progress.counted) % {
        "count": progress.counted
    }


def _plan_table(progress, numbers, scope):
    plan = progress.plan
    caption = _("Plan for %(year)s") % {"year": plan.year}
    if scope != ReportScope.AGREEMENT:
        caption += f" \N{EN DASH} {_agreement_name(plan.agreement)}"
    return Table(
        number=numbers.next_table(),
        caption=caption,
        header=[_("No."), _("Item"), _("Target"), _("Done"), _("Status")],
        rows=[
            [
                str(n),
                p.item.description,
                _target(p.item),
                _actual(p),
                str(ItemStatus.LABELS[p.status]),
            ]
            for n, p in enumerate(progress.items, 1)
        ],
        numeric=(2, 3),
        widths=(1, 5, 3, 3, 3),
    )


def _written(heading, text):
    return [Heading(heading), *_paragraphs(text)]


def _proposals(report, content, numbers):
    blocks = [Heading(_("VI. Proposals"))]
    if report.proposals.strip():
        blocks.extend(_paragraphs(report.proposals))
    awards = content.awards
    if awards.rows:
        blocks.append(Heading(_("Commendations in the period"), 2))
        blocks.append(
            Table(
                number=numbers.next_table(),
                caption=_("Awards given, %(years)s") % {"years": _years(content)},
                header=[
                    _("No."),
                    _("Award"),
                    _("Given by, decision"),
                    _("Collectives"),
                    _("People"),
                    _("Achievement"),
                ],
                rows=[_award_row(n, award, report.scope) for n, award in enumerate(awards.rows, 1)],
                numeric=(3, 4),
                widths=(1, 3, 4, 2, 2, 5),
                notes=[_more(awards.more)] if awards.more else [],
            )
        )
    elif not report.proposals.strip():
        blocks.append(Paragraph(DOTS))
    return blocks


def _award_row(n, award, scope):
    decided = []
    if award.decision_number:
        decided.append(_("Decision No. %(number)s") % {"number": award.decision_number})
    if award.decided_on:
        decided.append(format_date(award.decided_on, award.date_precision))
    named = [
        r.locality.name if r.locality_id else r.name
        for r in award.recipients.all()
        if not r.is_person or r.public
    ]
    reason = award.reason + (
        " " + _("Named: %(names)s.") % {"names": ", ".join(named)} if named else ""
    )
    form = award.get_form_display()
    if award.form == AwardForm.COMMENDATION:
        form = _("Certificate of commendation")
    return [
        str(n),
        form,
        "; ".join([award.issuer, *decided]),
        format_number(award.collectives) if award.collectives is not None else "—",
        format_number(award.people) if award.people is not None else "—",
        reason.strip() + _under(award.agreement, scope),
    ]


def _sources(content):
    rows = []
    for n, source in enumerate(content.sources.rows, 1):
        parts = [source.title]
        if source.publisher:
            parts.append(source.publisher)
        if source.published_on:
            parts.append(format_date(source.published_on, source.date_precision))
        if source.url:
            parts.append(source.url)
        rows.append(Paragraph(f"{n}. " + ", ".join(parts) + "."))
    if content.sources.more:
        rows.append(Paragraph(_more(content.sources.more), True))
    return rows


def _photo(photo, numbers):
    """The photo's thumbnail, or its image made small (at most 1200 px wide), as a JPEG;
    None when its file cannot be read."""
    field = photo.thumbnail if photo.thumbnail else photo.image
    try:
        with field.open("rb") as stream, Image.open(stream) as image:
            image = image.convert("RGB")
            image.thumbnail((1200, 1200))
            out = io.BytesIO()
            image.save(out, "JPEG", quality=85)
            width, height = image.size
    except (OSError, ValueError, UnidentifiedImageError):
        # A file gone from the storage: the report is made without it, the fault logged.
        logger.warning("Photo %s left out of a report: its file cannot be read.", photo.pk)
        return None
    caption = photo.caption
    if photo.event_id:
        caption += f" ({format_date(photo.event.held_on, photo.event.date_precision)})"
    return Figure(
        number=numbers.next_figure(),
        image=out.getvalue(),
        width=width,
        height=height,
        caption=caption,
        credit=_("Photo: %(credit)s") % {"credit": photo.credit} if photo.credit else "",
    )


def _filename(report, content):
    kind = {ReportKind.ANNUAL: "bao-cao-nam", ReportKind.INTERIM: "so-ket"}.get(
        report.kind, "tong-ket"
    )
    if report.scope == ReportScope.AGREEMENT:
        where = report.agreement.slug or f"giao-uoc-{report.agreement.pk}"
    elif report.scope == ReportScope.LOCALITY:
        where = report.locality.slug
    else:
        where = "toan-tinh"
    first = content.first_year
    years = (
        str(content.year_to) if first in (None, content.year_to) else f"{first}-{content.year_to}"
    )
    return f"{kind}-{where[:100]}-{years}"


# The people's committee of a unit that has one issues its reports (Decree 30/2020: the
# issuing body in bold capitals under its superior body).
COMMITTEE_KINDS = (
    LocalityKind.PROVINCE,
    LocalityKind.DISTRICT,
    LocalityKind.WARD,
    LocalityKind.COMMUNE,
    LocalityKind.SPECIAL_ZONE,
)


def issuing_unit(report):
    """The unit whose report it is: the locality, the agreement's first signing party (a
    coordinating unit when it has none), or None for the province."""
    if report.scope == ReportScope.LOCALITY:
        return report.locality
    if report.scope == ReportScope.AGREEMENT:
        signing_first = Case(When(role=PartyRole.PARTY, then=0), default=1)
        party = (
            report.agreement.parties.select_related("locality")
            .order_by(signing_first, "position", "pk")
            .first()
        )
        return party.locality if party is not None else None
    return None


# What a committee's unit is called before its name: its place name is what follows.
KIND_WORDS = ("Xã ", "Phường ", "Đặc khu ", "Thị trấn ")


def place_of(unit):
    """The place a report is dated at (Decree 30/2020, địa danh): a commune's, ward's or
    special zone's own name ("Ia Dơk"); the province's for any other unit."""
    if unit is not None and unit.kind in (
        LocalityKind.COMMUNE,
        LocalityKind.WARD,
        LocalityKind.SPECIAL_ZONE,
    ):
        for words in KIND_WORDS:
            if unit.name.startswith(words):
                return unit.name[len(words) :]
        return unit.name
    return settings.PROVINCE_NAME


def default_heading(report):
    """The heading and signature a report starts with, from its issuing unit: its people's
    committee under the province's, signed by its chairman; a unit without one (a division,
    an agency) under its own name. Staff change them on the report's page."""
    province = settings.PROVINCE_NAME
    unit = issuing_unit(report)
    if unit is None:
        issuer, parent = f"Ủy ban nhân dân tỉnh {province}", ""
    elif unit.kind in COMMITTEE_KINDS:
        issuer, parent = f"Ủy ban nhân dân {unit.name}", f"UBND tỉnh {province}"
    else:
        issuer, parent = unit.name, ""
    committee = unit is None or unit.kind in COMMITTEE_KINDS
    return {
        "issuer_parent": parent.upper(),
        "issuer": issuer.upper(),
        "number": "      /BC-UBND" if committee else "      /BC",
        "signer_authority": "TM. ỦY BAN NHÂN DÂN" if committee else "",
        "signer_position": "CHỦ TỊCH" if committee else "",
        "place": place_of(unit),
    }


def fill_heading(report):
    """The parts of the heading and signature staff left empty, from the issuing unit
    (default_heading): with no issuing body, the unit's own; with one, only the number and
    the signature's words left empty."""
    defaults = default_heading(report)
    if not report.issuer.strip():
        report.issuer_parent, report.issuer = defaults["issuer_parent"], defaults["issuer"]
    for name in ("number", "signer_authority", "signer_position", "place"):
        if not getattr(report, name).strip():
            setattr(report, name, defaults[name])


def build(
    report, include_drafts=False, drafts_scope=None, today=None, on_photo=None, with_photos=True
):
    """The Document of a report, in the active language (the caller sets the report's).
    `on_photo(done, total)` is called as each photo is made small; without `with_photos`
    (a preview) the appendix lists the photos' captions."""
    report = copy.copy(report)  # the heading's empty parts filled, the saved report unchanged
    fill_heading(report)
    content = counted.content(
        report.scope,
        agreement=report.agreement,
        locality=report.locality,
        year_from=report.year_from,
        year_to=report.year_to,
        include_drafts=include_drafts,
        drafts_scope=drafts_scope,
        today=today,
    )
    numbers = _Numbers()
    body = [
        *_situation(report, content, numbers),
        *_results(report, content, numbers),
        *_written(_("III. Strengths, shortcomings and their causes"), report.assessment),
        *_written(_("IV. Lessons"), report.lessons),
        *_written(_("V. Direction and tasks for the next period"), report.direction),
        *_proposals(report, content, numbers),
    ]
    appendices = []
    if content.sources.rows:
        appendices.append(
            Appendix(appendix_label(len(appendices) + 1), _("Sources"), _sources(content))
        )
    if content.photos and with_photos:
        figures = []
        for done, photo in enumerate(content.photos, 1):
            figure = _photo(photo, numbers)
            if figure is not None:
                figures.append(figure)
            if on_photo is not None:
                on_photo(done, len(content.photos))
        if figures:
            appendices.append(Appendix(appendix_label(len(appendices) + 1), _("Photos"), figures))
    elif content.photos:  # the admin's preview: the captions only
        captions = [Paragraph(f"{n}. {photo.caption}") for n, photo in enumerate(content.photos, 1)]
        appendices.append(Appendix(appendix_label(len(appendices) + 1), _("Photos"), captions))
    recipients = [line.strip() for line in report.recipients.splitlines() if line.strip()]
    recipients.append(_("- Filed: VT."))
    return Document(
        language=report.language,
        issuer_parent=report.issuer_parent.upper(),
        issuer=report.issuer.upper(),
        number=report.number,
        place_date=long_date(report.place, report.dated),
        title=_("REPORT"),
        subject=subject(report, content),
        draft_note=_("Staff copy: counts agreements still in draft, marked so.")
        if content.has_drafts
        else "",
        grounds=_grounds(report, content),
        body=body,
        recipients=[r if r.startswith("-") else f"- {r}" for r in recipients],
        signer_authority=report.signer_authority.upper(),
        signer_position=report.signer_position.upper(),
        signer_name=report.signer_name,
        appendices=appendices,
        attached_to=_("(Attached to report No. %(number)s of %(date)s of %(issuer)s)")
        % {
            "number": _number_written(report.number),
            "date": formats.date_format(report.dated, "SHORT_DATE_FORMAT"),
            "issuer": report.issuer,
        },
        filename=_filename(report, content),
    )
