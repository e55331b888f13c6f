"""The dashboards' charts, made from a reports.Dashboard (no query: it is all loaded)."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from activities.figures import format_number, format_quantity
from ketnghia.charts import PERIOD, Bar, BarChart, bar_chart


@dataclass(frozen=True)
class GoodsTile:
    """A tile of goods and works: "gần 15.000" "ngày công" / "Ngày công lao động". The figure
    and its unit are apart so that a narrow tile breaks between them, never inside a figure."""

    figure: str
    unit: str
    name: str
    note: str = ""  # records without a quantity, said beside the figure
    lang: str = "vi"  # of the name (TypeTotal.lang)
    unit_lang: str = "vi"  # of the unit (TypeTotal.unit_lang)


def goods_tiles(goods):
    return [
        GoodsTile(
            format_quantity(total.quantity, "", total.quantity_qualifier),
            total.unit,
            total.name,
            total.quantity_note,
            total.lang,
            total.unit_lang,
        )
        for total in goods
    ]


@dataclass(frozen=True)
class DashboardCharts:
    activities_by_year: BarChart
    money_by_year: BarChart
    by_type: BarChart
    by_area: BarChart

    def __bool__(self):
        return any((self.activities_by_year, self.money_by_year, self.by_type, self.by_area))


def _activities(n):
    return ngettext("%(count)s activity", "%(count)s activities", n) % {"count": format_number(n)}


def _agreements(n):
    return ngettext("%(count)s agreement", "%(count)s agreements", n) % {"count": format_number(n)}


def _year_bar(bar, value, display):
    if bar.is_period:
        return Bar(
            bar.label,
            value,
            display,
            kind=PERIOD,
            note=_("reported for the whole period, not split into years"),
        )
    return Bar(bar.label, value, display)


def activities_by_year(dashboard):
    return bar_chart(
        "chart-activities-by-year",
        _("Activities by year"),
        [_year_bar(bar, bar.activities, _activities(bar.activities)) for bar in dashboard.by_year],
        label_heading=_("Year"),
        value_heading=_("Activities"),
        note_heading=_("Note"),
    )


def money_by_year(dashboard):
    return bar_chart(
        "chart-money-by-year",
        _("Value by year (VND)"),
        [
            _year_bar(
                bar,
                bar.money.value_vnd or 0,
                bar.money.words if bar.money.value_vnd else _("no value reported"),
            )
            for bar in dashboard.by_year
        ],
        label_heading=_("Year"),
        value_heading=_("Value"),
        note_heading=_("Note"),
    )


def _type_bar(total):
    if total.value_vnd:
        return Bar(total.name, total.value_vnd, total.value_words, note=total.quantity_display)
    # Check-ups, clothes, days of work reported without a value: their quantity is told, with
    # no bar (a bar's length is money; these are not).
    return Bar(
        total.name,
        0,
        _("%(quantity)s (no value reported)") % {"quantity": total.quantity_display},
    )


def by_type(dashboard):
    return bar_chart(
        "chart-by-type",
        _("Value by kind of support"),
        [_type_bar(total) for total in dashboard.by_type],
        label_heading=_("Kind of support"),
        value_heading=_("Value"),
        note_heading=_("Quantity"),
    )


def by_area(dashboard):
    return bar_chart(
        "chart-by-area",
        _("Agreements by commitment area"),
        [
            Bar(
                bar.area.label,
                bar.agreements,
                _agreements(bar.agreements),
                note=bar.money.words if bar.money.value_vnd else "",
            )
            for bar in dashboard.by_area
        ],
        label_heading=_("Commitment area"),
        value_heading=_("Agreements"),
        note_heading=_("Value of their activities"),
    )


def dashboard_charts(dashboard):
    return DashboardCharts(
        activities_by_year=activities_by_year(dashboard),
        money_by_year=money_by_year(dashboard),
        by_type=by_type(dashboard),
        by_area=by_area(dashboard),
    )
