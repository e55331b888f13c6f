"""Figures as Vietnamese reports write them: "30.000.000 đ", "hơn 500 triệu đồng", "gần 15.000".

Each reported figure carries a qualifier (exact, over, about, nearly); these functions print and
parse figures in the active language's separators ("." groups thousands in Vietnamese).
"""

import re
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import formats, numberformat
from django.utils.html import conditional_escape, format_html
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from activities.models import Qualifier
from localities.languages import language

_CURRENCY = re.compile(r"(?i)\s*(vnđ|vnd|đồng|đ|d)\.?\s*$")


_QUALIFIER_WORDS = {
    Qualifier.OVER: pgettext_lazy("figure", "over"),
    Qualifier.ABOUT: pgettext_lazy("figure", "about"),
    Qualifier.NEARLY: pgettext_lazy("figure", "nearly"),
}


def qualifier_word(qualifier):
    """The word written before a figure: 'hơn' for over, '' for exact (translated only when
    there is one: an admin list asks for a hundred)."""
    word = _QUALIFIER_WORDS.get(qualifier)
    return str(word) if word is not None else ""


NBSP = "\N{NO-BREAK SPACE}"


def _qualified(text, qualifier):
    # No-break spaces: "hơn 500.000.000 đ" never breaks across lines in a narrow table.
    word = qualifier_word(qualifier)
    return f"{word}{NBSP}{text}" if word else text


def format_number(value, decimal_pos=None):
    """1700 → '1.700' in Vietnamese, '1,700' in English; 7.50 → '7,5'."""
    if value is None:
        return ""
    if isinstance(value, Decimal) and decimal_pos is None:
        value = value.normalize()
        if value == value.to_integral_value():
            value = int(value)
    if type(value) is int and decimal_pos is None:
        # The common case, a whole number, without numberformat's general path (a list of
        # fifty figures is formatted on every admin page).
        return f"{value:,}".replace(",", formats.get_format("THOUSAND_SEPARATOR"))
    return numberformat.format(
        value,
        formats.get_format("DECIMAL_SEPARATOR"),
        decimal_pos=decimal_pos,
        grouping=3,
        thousand_sep=formats.get_format("THOUSAND_SEPARATOR"),
        force_grouping=True,
    )


def format_vnd(value, qualifier=Qualifier.EXACT):
    """30000000 → '30.000.000 đ'; with OVER → 'hơn 30.000.000 đ'."""
    if value is None:
        return ""
    return _qualified(f"{format_number(int(value))}{NBSP}đ", qualifier)


def format_vnd_words(value, qualifier=Qualifier.EXACT):
    """30000000 → '30 triệu đồng'; 1500000000 → '1,5 tỷ đồng' (for headlines and totals).

    Rounded to one decimal in the direction that keeps the words true: an exact or "over"
    amount rounds down and then reads "hơn" (1.255 tỷ → "hơn 1,2 tỷ"), a "nearly" amount rounds
    up, an "about" amount to the nearest.
    """
    if value is None:
        return ""
    value = int(value)
    for size, label in ((10**9, _("billion dong")), (10**6, _("million dong"))):
        if value < size:
            continue
        amount = Decimal(value) / size
        rounding = {
            Qualifier.NEARLY: ROUND_CEILING,
            Qualifier.ABOUT: ROUND_HALF_UP,
        }.get(qualifier, ROUND_FLOOR)
        shown = amount.quantize(Decimal("0.1"), rounding=rounding)
        if shown != amount and qualifier == Qualifier.EXACT:
            qualifier = Qualifier.OVER
        if shown >= 1000 and size == 10**6:
            return format_vnd_words(int(shown * size), qualifier)
        return _qualified(f"{format_number(shown)}{NBSP}{label}", qualifier)
    dong = _("dong")
    return _qualified(f"{format_number(value)}{NBSP}{dong}", qualifier)


def format_quantity(value, unit="", qualifier=Qualifier.EXACT):
    """Decimal('15000') with 'ngày công' and NEARLY → 'gần 15.000 ngày công'."""
    if value is None:
        return ""
    text = format_number(value)
    return _qualified(f"{text}{NBSP}{unit}" if unit else text, qualifier)


def format_quantity_marked(value, unit, unit_lang, qualifier=Qualifier.EXACT):
    """format_quantity as safe HTML, its unit marked with its language when that is not the
    page's (a type staff named only in Vietnamese, on an English page: "500 <span lang="vi">
    cây</span>"), so that a reader's voice reads it as Vietnamese."""
    if not unit or unit_lang == language():
        return conditional_escape(format_quantity(value, unit, qualifier))
    return format_html(
        '{}{}<span lang="{}">{}</span>',
        format_quantity(value, "", qualifier),
        NBSP,
        unit_lang,
        unit,
    )


def parse_number(text):
    """A number as a person types it in the active language: '1.700', '7,5', '30 000 000'.

    Returns a Decimal, or raises ValueError.
    """
    decimal_sep = formats.get_format("DECIMAL_SEPARATOR")
    thousand_sep = formats.get_format("THOUSAND_SEPARATOR")
    cleaned = re.sub(r"[\s\N{NO-BREAK SPACE}\N{NARROW NO-BREAK SPACE}]", "", str(text))
    if not cleaned:
        raise ValueError("empty")
    whole, _sep, fraction = cleaned.partition(decimal_sep)
    if thousand_sep in whole:
        groups = whole.split(thousand_sep)
        if not groups[0] or any(len(g) != 3 for g in groups[1:]):
            # "7.5" typed in a Vietnamese form: one separator that cannot be grouping is decimal.
            if len(groups) == 2 and not fraction and thousand_sep in ".,":
                whole, fraction = groups
            else:
                raise ValueError(text)
        else:
            whole = "".join(groups)
    if not whole.isdigit() or (fraction and not fraction.isdigit()):
        raise ValueError(text)
    try:
        return Decimal(f"{whole}.{fraction}" if fraction else whole)
    except InvalidOperation as exc:
        raise ValueError(text) from exc


def parse_vnd(text):
    """'30.000.000 đ', '30000000', '30 000 000 VNĐ' → 30000000; raises ValidationError."""
    cleaned = _CURRENCY.sub("", str(text)).strip()
    try:
        amount = parse_number(cleaned)
    except ValueError:
        amount = None
    if amount is None or amount != amount.to_integral_value():
        raise ValidationError(
            _("Enter an amount in đồng, e.g. 30.000.000."), code="invalid_vnd", params={}
        )
    return int(amount)
