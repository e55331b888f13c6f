import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from activities.figures import format_number, parse_number, parse_vnd

# A minus sign (or the dash a word processor makes of it) before the figure.
NEGATIVE = re.compile(r"^\s*[-\u2212\u2013]")


def _refuse_negative(value, message):
    if isinstance(value, str) and NEGATIVE.match(value):
        raise ValidationError(message, code="negative")


class VNDField(forms.IntegerField):
    """An amount in đồng typed as people write it: '30.000.000', '30000000', '30.000.000 đ'."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int):
            return value
        _refuse_negative(
            value,
            _("An amount cannot be negative: write it without the minus sign, e.g. 30.000.000."),
        )
        return parse_vnd(value)

    def prepare_value(self, value):
        if isinstance(value, int):
            return format_number(value)
        return value


class QuantityField(forms.DecimalField):
    """A quantity typed with the language's separators: '1.700' bộ, '7,5' km."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
    default_error_messages = {"invalid": _("Enter a number, e.g. 1.700 or 7,5.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        _refuse_negative(
            value, _("A quantity cannot be negative: write it without the minus sign, e.g. 1.700.")
        )
        try:
            return parse_number(value)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def prepare_value(self, value):
        if value is None or isinstance(value, str):
            return value
        return format_number(value)


# The admin's inputs of a quantity and a sum: text, not the admin's number inputs, since people
# type "30.000.000" and "7,5".
FIGURE_INPUTS = {
    "value_vnd": forms.TextInput(
        attrs={"inputmode": "numeric", "autocomplete": "off", "class": "vBigIntegerField"}
    ),
    "quantity": forms.TextInput(
        attrs={"inputmode": "decimal", "autocomplete": "off", "class": "vBigIntegerField"}
    ),
}
