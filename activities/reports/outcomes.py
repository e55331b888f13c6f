"""A locality's outcome indicators year by year (docs/counting.md, "Outcome indicators"): the
context its dashboard shows beside what it received, never as its effect."""

from dataclasses import dataclass, field

from activities.figures import format_number
from activities.models import OutcomeIndicator, OutcomeValue


def value_display(value, status, unit):
    """'12,5%', '340 hộ', or the status in words ('Đạt chuẩn nông thôn mới')."""
    if value is None:
        return status
    number = format_number(value)
    if unit == "%":
        return f"{number}%"
    return f"{number}\N{NO-BREAK SPACE}{unit}" if unit else number


@dataclass
class Series:
    """One indicator of a locality: its values by year, each with its source and date;
    `cells`, the values in the order of the years shown (None where there is none)."""

    indicator: object
    values: dict = field(default_factory=dict)  # year → OutcomeValue
    cells: list = field(default_factory=list)


@dataclass
class Outcomes:
    years: list
    series: list

    def __bool__(self):
        return bool(self.series)


def outcomes_of(locality, keep=None):
    """The indicators of a locality (its own, not its villages'), by year: one query. `keep`
    (name, key, compute: ketnghia.pagecache.kept) keeps them until the data changes."""
    if keep is not None:
        return keep(
            "outcomes", (OutcomeValue, OutcomeIndicator, locality.pk), lambda: outcomes_of(locality)
        )
    rows = (
        OutcomeValue.objects.filter(locality=locality)
        .select_related("indicator")
        .order_by("indicator__position", "indicator__name", "year")
    )
    by_indicator = {}
    years = set()
    for row in rows:
        row.shown = value_display(row.value, row.status, row.indicator.unit)
        series = by_indicator.setdefault(row.indicator_id, Series(row.indicator))
        series.values[row.year] = row
        years.add(row.year)
    years = sorted(years)
    for series in by_indicator.values():
        series.cells = [(year, series.values.get(year)) for year in years]
    return Outcomes(years, list(by_indicator.values()))


def all_outcome_values():
    """Every locality's indicator values as the open data lists them: by locality, indicator
    (in the province's order) and year; not the staff's notes. One query, streamed."""
    return (
        OutcomeValue.objects.order_by(
            "locality__name", "locality_id", "indicator__position", "indicator__name", "year"
        )
        .values_list(
            "locality__name",
            "locality__code",
            "locality__slug",
            "indicator__name",
            "indicator__unit",
            "year",
            "value",
            "status",
            "source",
            "as_of",
        )
        .iterator()
    )
