"""Dates as precise as their source: "26/7/2003", "tháng 7/2023", "năm 2033"."""

from django.utils import formats
from django.utils.translation import gettext as _

from agreements.models import DatePrecision


def format_date(value, precision=DatePrecision.DAY):
    if value is None:
        return ""
    if precision == DatePrecision.YEAR:
        return _("year %(year)d") % {"year": value.year}
    if precision == DatePrecision.MONTH:
        return _("%(month)d/%(year)d") % {"month": value.month, "year": value.year}
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def format_period(start, end, precision=DatePrecision.DAY):
    """'7/2003 – 7/2023', or one date when the period is a single day."""
    if end is None or end == start:
        return format_date(start, precision)
    if precision == DatePrecision.YEAR:
        return f"{start.year}–{end.year}"
    return f"{format_date(start, precision)} – {format_date(end, precision)}"
