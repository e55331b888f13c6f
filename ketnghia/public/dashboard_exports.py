"""The dashboards as XLSX workbooks: one sheet per table of the page, headers in the reader's
language, figures as numbers (VND as whole numbers shown "#,##0"; the qualifier — "over",
"about", "nearly" — in a column of its own), dates as dates.

Text cells are neutralised against formula injection as the open-data exports are
(ketnghia.exports.neutralise). Everything is read from the reports' dataclasses: no query.
"""

import datetime
import tempfile
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font

from activities.models import Measure, Qualifier
from activities.reports.totals import not_valued
from agreements.dates import format_period
from ketnghia.exports import XLSX_CELL_MAX, neutralise

VND_FORMAT = "#,##0"
WHOLE_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.0#"
DATE_FORMAT = "dd/mm/yyyy"
# Excel refuses longer sheet names and these characters in them.
SHEET_NAME_MAX = 31
SHEET_NAME_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))

# Cell kinds: how a column's values are written.
TEXT, COUNT, NUMBER, VND, DATE = "text", "count", "number", "vnd", "date"


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = TEXT
    width: int = 14


def _text(value):
    if value is None or value == "":
        return None
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))[:XLSX_CELL_MAX]
    return neutralise(text)


def _cell(sheet, row, column, value, kind):
    if kind == TEXT:
        value = _text(value)
    elif isinstance(value, Decimal):
        value = int(value) if value == value.to_integral_value() else float(value)
    cell = sheet.cell(row=row, column=column, value=value)
    if value is None:
        return cell
    if kind == VND:
        cell.number_format = VND_FORMAT
    elif kind in (COUNT, NUMBER):
        cell.number_format = WHOLE_FORMAT if isinstance(value, int) else DECIMAL_FORMAT
    elif kind == DATE:
        cell.number_format = DATE_FORMAT
    return cell


class _Book:
    """A workbook whose first sheet says what the figures are (title, filters, date)."""

    def __init__(self, title, applied, include_drafts):
        self.workbook = Workbook()
        self.names = set()
        self.summary = self.workbook.active
        self.summary.title = self._name(_("Summary"))
        head = [
            [title],
            *[[str(label), str(value)] for label, value in applied],
            [_("Figures as of"), timezone.localdate()],
            [
                _("Source"),
                _("Twinning register of %(province)s") % {"province": settings.PROVINCE_NAME},
            ],
        ]
        if include_drafts:
            head.append([_("Includes drafts"), _("Yes: agreements not yet published are counted.")])
        for row in head:
            self.summary.append([_text(v) if isinstance(v, str) else v for v in row])
        self.summary["A1"].font = Font(bold=True, size=13)
        for row in self.summary.iter_rows(min_row=2, max_col=1):
            row[0].font = Font(bold=True)
        for row in self.summary.iter_rows(min_col=2, max_col=2):
            if isinstance(row[0].value, datetime.date):
                row[0].number_format = DATE_FORMAT
        self.summary_row = self.summary.max_row + 2
        self.summary.column_dimensions["A"].width = 48
        self.summary.column_dimensions["B"].width = 22
        self.summary.column_dimensions["C"].width = 14

    def _name(self, name):
        """A sheet name Excel accepts, unique in the workbook."""
        name = name.translate(SHEET_NAME_FORBIDDEN).strip()[:SHEET_NAME_MAX]
        base, n = name, 2
        while name in self.names:
            suffix = f" ({n})"
            name = base[: SHEET_NAME_MAX - len(suffix)] + suffix
            n += 1
        self.names.add(name)
        return name

    def figures(self, rows):
        """Rows of the summary's table: (label, value, kind, qualifier or unit)."""
        start = self.summary_row
        for header, column in ((_("Figure"), 1), (_("Value"), 2), (_("Qualifier"), 3)):
            self.summary.cell(row=start, column=column, value=header).font = Font(bold=True)
        for offset, (label, value, kind, note) in enumerate(rows, start=1):
            _cell(self.summary, start + offset, 1, label, TEXT)
            _cell(self.summary, start + offset, 2, value, kind)
            _cell(self.summary, start + offset, 3, note, TEXT)

    def sheet(self, name, columns, rows):
        sheet = self.workbook.create_sheet(self._name(name))
        for index, column in enumerate(columns, start=1):
            cell = sheet.cell(row=1, column=index, value=_text(column.header))
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            sheet.column_dimensions[cell.column_letter].width = column.width
        sheet.freeze_panes = "A2"
        for r, values in enumerate(rows, start=2):
            for index, (column, value) in enumerate(zip(columns, values, strict=True), start=1):
                _cell(sheet, r, index, value, column.kind)
        return sheet

    def save(self):
        output = tempfile.TemporaryFile()  # noqa: SIM115 (the FileResponse sending it closes it)
        self.workbook.save(output)
        output.seek(0)
        return output


def qualifier(value):
    """The qualifier as the page writes it ("over"), empty for an exact figure."""
    return "" if value in (None, Qualifier.EXACT) else Qualifier(value).label


def money_qualifier(money):
    """The "value is" cell of a reports.MoneyTotal: its qualifier, or "not valued" when no
    activity of it has a value (the value cell is then empty, never 0)."""
    return qualifier(money.qualifier) if money.is_valued else not_valued()


def _place(locality):
    return locality.name if locality is not None else ""


def _parent(locality):
    # Top givers and recipients come with their parent loaded (reports' contract).
    parent = locality.parent if locality.parent_id else None
    return parent.name if parent is not None else ""


def _type_rows(totals):
    return [
        [
            total.name,
            total.unit if total.measure != Measure.MONEY else "",
            total.quantity if total.measure != Measure.MONEY else None,
            qualifier(total.quantity_qualifier) if total.quantity is not None else "",
            total.quantity_missing if total.measure != Measure.MONEY else None,
            total.value_vnd,
            money_qualifier(total.money),
            total.money.unvalued,
            total.count,
        ]
        for total in totals
    ]


def _type_columns():
    return [
        Column(_("Kind of support"), TEXT, 34),
        Column(_("Unit"), TEXT, 12),
        Column(_("Quantity"), NUMBER, 12),
        Column(_("Quantity is"), TEXT, 10),
        Column(_("Records without a quantity"), COUNT, 12),
        Column(_("Value (VND)"), VND, 18),
        Column(_("Value is"), TEXT, 12),
        Column(_("Activities not valued"), COUNT, 12),
        Column(_("Activities"), COUNT, 11),
    ]


def _top_sheet(book, name, heading, rows):
    book.sheet(
        name,
        [
            Column(heading, TEXT, 32),
            Column(_("Belongs to"), TEXT, 24),
            Column(_("Activities"), COUNT, 11),
            Column(_("Value (VND)"), VND, 18),
            Column(_("Value is"), TEXT, 10),
        ],
        [
            [
                row.locality.name,
                _parent(row.locality),
                row.activities,
                row.money.value_vnd,
                money_qualifier(row.money),
            ]
            for row in rows
        ],
    )


def _agreement_url(site_url, agreement):
    if agreement.is_published:
        return site_url + reverse("agreements:detail", args=[agreement.slug])
    return ""


def dashboard_workbook(dashboard, applied, *, title, site_url="", locality_dashboard=False):
    """A dashboard (reports.Dashboard or LocalityDashboard) as an XLSX file, ready to send."""
    include_drafts = dashboard.filters.include_drafts
    book = _Book(title, applied, include_drafts)
    rows = [
        (_("Agreements in force"), dashboard.agreements_in_force, COUNT, ""),
        (_("Localities and units with a partner"), dashboard.localities_with_partner, COUNT, ""),
        (
            _("Ethnic-minority villages with a partner"),
            dashboard.minority_villages.with_partner,
            COUNT,
            "",
        ),
        (_("Ethnic-minority villages in all"), dashboard.minority_villages.total, COUNT, ""),
        (
            _("Value of the support (VND)"),
            dashboard.money.value_vnd,
            VND,
            money_qualifier(dashboard.money),
        ),
        (_("Activities not valued, not in that value"), dashboard.money.unvalued, COUNT, ""),
    ]
    if locality_dashboard:
        rows += [
            (
                _("Given by it and the units below it (VND)"),
                dashboard.given.money.value_vnd,
                VND,
                money_qualifier(dashboard.given.money),
            ),
            (
                _("Received by it and the units below it (VND)"),
                dashboard.received.money.value_vnd,
                VND,
                money_qualifier(dashboard.received.money),
            ),
        ]
    rows += [
        (
            _("Figures over a period beyond the chosen years, not counted"),
            dashboard.left_out.activities,
            COUNT,
            "",
        ),
        (
            _("Their value, not counted (VND)"),
            dashboard.left_out.money.value_vnd,
            VND,
            money_qualifier(dashboard.left_out.money),
        ),
    ]
    book.figures(rows)

    if locality_dashboard:
        book.sheet(_("Given"), _type_columns(), _type_rows(dashboard.given.by_type))
        book.sheet(_("Received"), _type_columns(), _type_rows(dashboard.received.by_type))
    book.sheet(_("By kind"), _type_columns(), _type_rows(dashboard.by_type))
    book.sheet(
        _("By year"),
        [
            Column(_("Year"), TEXT, 12),
            Column(_("From"), COUNT, 8),
            Column(_("To"), COUNT, 8),
            Column(_("Whole period, not split"), TEXT, 14),
            Column(_("Activities"), COUNT, 11),
            Column(_("Value (VND)"), VND, 18),
            Column(_("Value is"), TEXT, 10),
        ],
        [
            [
                bar.label,
                bar.first_year,
                bar.last_year,
                _("yes") if bar.is_period else "",
                bar.activities,
                bar.money.value_vnd,
                money_qualifier(bar.money),
            ]
            for bar in dashboard.by_year
        ],
    )
    book.sheet(
        _("By commitment area"),
        [
            Column(_("Commitment area"), TEXT, 40),
            Column(_("Agreements"), COUNT, 11),
            Column(_("Value of their activities (VND)"), VND, 20),
            Column(_("Value is"), TEXT, 10),
        ],
        [
            [bar.area.label, bar.agreements, bar.money.value_vnd, money_qualifier(bar.money)]
            for bar in dashboard.by_area
        ],
    )
    # A figure given by the parties together is in each one's row: the rows overlap.
    _top_sheet(
        book, _("Top givers"), _("Giver (joint gifts in each giver's row)"), dashboard.top_givers
    )
    _top_sheet(book, _("Top recipients"), _("Recipient"), dashboard.top_recipients)
    book.sheet(
        _("Funders"),
        [
            Column(_("Funder"), TEXT, 32),
            Column(_("Kind"), TEXT, 18),
            Column(_("Activities"), COUNT, 11),
            Column(_("Value (VND)"), VND, 18),
            Column(_("Value is"), TEXT, 12),
        ],
        [
            [
                row.funder.name,
                row.funder.get_kind_display(),
                row.activities,
                row.money.value_vnd,
                money_qualifier(row.money),
            ]
            for row in dashboard.funders
        ],
    )
    book.sheet(
        _("Who twins with whom"),
        [
            Column(_("Agreement"), TEXT, 40),
            Column(_("Parties"), TEXT, 40),
            Column(_("Coordinating"), TEXT, 24),
            Column(_("Signed on"), DATE, 12),
            Column(_("Ended on"), DATE, 12),
            Column(_("Status"), TEXT, 12),
            Column(_("Address"), TEXT, 40),
        ],
        [
            [
                pair.agreement.title_shown,
                "; ".join(place.name for place in pair.parties),
                "; ".join(place.name for place in pair.coordinators),
                pair.agreement.signed_on,
                pair.agreement.ended_on,
                pair.agreement.get_status_display(),
                _agreement_url(site_url, pair.agreement),
            ]
            for pair in dashboard.pairs
        ],
    )
    book.sheet(
        _("Anniversaries"),
        [
            Column(_("Agreement"), TEXT, 40),
            Column(_("Years since signing"), COUNT, 12),
            Column(_("Date"), DATE, 12),
        ],
        [[a.agreement.title_shown, a.years, a.on] for a in dashboard.anniversaries],
    )
    book.sheet(
        _("Programmes ending"),
        [
            Column(_("Programme"), TEXT, 48),
            Column(_("Agreement"), TEXT, 40),
            Column(_("Ends on"), DATE, 12),
        ],
        [[p.name, p.agreement.title_shown, p.ends_on] for p in dashboard.programmes_ending],
    )
    book.sheet(
        _("Latest activities"),
        [
            Column(_("When"), TEXT, 20),
            Column(_("Kind of support"), TEXT, 30),
            Column(_("Quantity"), NUMBER, 10),
            Column(_("Unit"), TEXT, 10),
            Column(_("Quantity is"), TEXT, 10),
            Column(_("Value (VND)"), VND, 16),
            Column(_("Value is"), TEXT, 10),
            Column(_("Giver"), TEXT, 24),
            Column(_("Recipient"), TEXT, 24),
            Column(_("Agreement"), TEXT, 40),
        ],
        [_activity_row(activity) for activity in dashboard.latest_activities],
    )
    return book.save()


def _activity_row(activity):
    kind = activity.activity_type
    has_quantity = activity.quantity is not None and kind.measure != Measure.MONEY
    return [
        format_period(activity.starts_on, activity.ends_on, activity.date_precision),
        kind.label,
        activity.quantity if has_quantity else None,
        kind.unit_for(activity.quantity) if has_quantity else "",
        qualifier(activity.quantity_qualifier) if has_quantity else "",
        activity.value_vnd,
        qualifier(activity.value_qualifier) if activity.value_vnd is not None else "",
        _place(activity.giver) or _("the parties together"),
        _place(activity.recipient) or activity.recipient_detail,
        activity.agreement.title_shown,
    ]


def coverage_workbook(rows, totals, applied, *, title, include_drafts=False):
    """The coverage table as an XLSX file: communes, and one row per village without a
    partner (`totals`: reports.coverage_totals)."""
    book = _Book(title, applied, include_drafts)
    book.figures(
        [
            (_("Villages without a partner"), totals.without_partner, COUNT, ""),
            (_("Ethnic-minority villages in all"), totals.total, COUNT, ""),
            (
                _("Communes and wards with a village without a partner"),
                totals.communes_lacking,
                COUNT,
                "",
            ),
        ]
    )
    book.sheet(
        _("By commune"),
        [
            Column(_("Commune or ward"), TEXT, 32),
            Column(_("Without a partner"), COUNT, 12),
            Column(_("Ethnic-minority villages"), COUNT, 12),
        ],
        [[row.commune.name, row.without_partner, row.total] for row in rows],
    )
    book.sheet(
        _("Villages without a partner"),
        [Column(_("Commune or ward"), TEXT, 32), Column(_("Village"), TEXT, 32)],
        [[row.commune.name, village.name] for row in rows for village in row.villages],
    )
    return book.save()
