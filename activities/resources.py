"""Activities in and out of Excel, as a clerk types them: Vietnamese headers, dates such as
26/7/2003, money as 30.000.000 or 30000000, localities by official code or by name (diacritics
ignored), types and qualifiers by their Vietnamese names.

Every widget raises ValueError with a sentence that names the bad value: import-export shows it
at the row and column that is wrong. A row is matched to an existing activity by its natural key
(agreement, type, date, description), so importing the same file twice changes nothing.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets

from activities.admin_forms import ancestor_ids
from activities.figures import parse_number, parse_vnd
from activities.models import Activity, ActivityStatus, ActivityType, Qualifier
from agreements.models import Agreement, DatePrecision
from localities.models import Locality
from localities.text import search_key

# A cell that starts with one of these is read as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel counts days from 30-12-1899 (its 1900 leap-year bug included).
EXCEL_EPOCH = datetime.date(1899, 12, 30)
DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")


def is_empty(value):
    return value is None or (isinstance(value, str) and not value.strip())


def neutralised(value):
    """'=1+1' → "'=1+1": a spreadsheet shows the text instead of running it."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class TextWidget(widgets.Widget):
    """Text, trimmed; the quote that export puts before a would-be formula is taken off again."""

    def clean(self, value, row=None, **kwargs):
        if is_empty(value):
            return ""
        text = str(value).strip()
        if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
            text = text[1:]
        return text

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class DateWidget(widgets.Widget):
    """26/7/2003, 26-7-2003, 2003-07-26 or an Excel date cell; written back as 26/7/2003."""

    def clean(self, value, row=None, **kwargs):
        if is_empty(value):
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        if is_number and 1 <= value < 2958466:  # Excel's serial numbers, up to 31-12-9999
            return EXCEL_EPOCH + datetime.timedelta(days=int(value))
        text = str(value).strip()
        for date_format in DATE_FORMATS:
            try:
                return datetime.datetime.strptime(text, date_format).date()  # noqa: DTZ007 (a date)
            except ValueError:
                continue
        raise ValueError(
            _("“%(value)s” is not a date: write the day, month and year, e.g. 26/7/2003.")
            % {"value": value}
        )

    def render(self, value, obj=None, **kwargs):
        if not value:
            return ""
        return f"{value.day}/{value.month}/{value.year}"


class NumberWidget(widgets.Widget):
    """'1.700', '7,5', '30 000' or a number cell; whole numbers only when `integer` is set."""

    def __init__(self, integer=False, **kwargs):
        self.integer = integer
        super().__init__(**kwargs)

    def error(self, value):
        if self.integer:
            return _("“%(value)s” is not a whole number, e.g. 1.700.") % {"value": value}
        return _("“%(value)s” is not a number, e.g. 1.700 or 7,5.") % {"value": value}

    def clean(self, value, row=None, **kwargs):
        if is_empty(value):
            return None
        if isinstance(value, bool):
            raise ValueError(self.error(value))
        if isinstance(value, int | float | Decimal):
            number = Decimal(str(value))
        else:
            try:
                number = parse_number(str(value).strip())
            except ValueError:
                raise ValueError(self.error(value)) from None
        if self.integer:
            if number != number.to_integral_value():
                raise ValueError(self.error(value))
            return int(number)
        return number

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        if isinstance(value, Decimal):
            value = value.normalize()
            value = int(value) if value == value.to_integral_value() else value
        if kwargs.get("force_native_type"):
            return value
        return str(value)


class VNDWidget(NumberWidget):
    """'30.000.000 đ', '30000000' or a number cell, in whole đồng."""

    def __init__(self, **kwargs):
        super().__init__(integer=True, **kwargs)

    def error(self, value):
        return _("“%(value)s” is not an amount in đồng: write e.g. 30.000.000 or 30000000.") % {
            "value": value
        }

    def clean(self, value, row=None, **kwargs):
        if is_empty(value) or isinstance(value, int | float | Decimal):
            return super().clean(value, row, **kwargs)
        try:
            return parse_vnd(str(value).strip())
        except ValidationError:
            raise ValueError(self.error(value)) from None


class ChoiceWidget(widgets.Widget):
    """A choice by its label in the active language or by its code, diacritics and case
    ignored: 'hơn', 'Hon' and 'over' are the same qualifier. An empty cell gives the default."""

    def __init__(self, choices, default, **kwargs):
        self.choices = choices
        self.default = default
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        if is_empty(value):
            return self.default
        key = search_key(value)
        for code, label in self.choices.choices:
            if key in (search_key(code), search_key(str(label))):
                return code
        raise ValueError(
            _("“%(value)s” is not one of: %(choices)s.")
            % {"value": value, "choices": ", ".join(str(label) for label in self.choices.labels)}
        )

    def render(self, value, obj=None, **kwargs):
        if not value:
            return ""
        return str(self.choices(value).label)


class ActivityTypeWidget(widgets.Widget):
    """An activity type by its name (diacritics ignored) or its slug."""

    def clean(self, value, row=None, **kwargs):
        if is_empty(value):
            return None
        if not hasattr(self, "_types"):
            self._types = list(ActivityType.objects.all())
        key = search_key(value)
        for activity_type in self._types:
            if key in (search_key(activity_type.name), activity_type.slug):
                return activity_type
        raise ValueError(
            _("No activity type is called “%(value)s”. The types are: %(types)s.")
            % {"value": value, "types": ", ".join(t.name for t in self._types)}
        )

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class AgreementWidget(widgets.Widget):
    """An agreement by its slug, or by its exact title with diacritics and case ignored."""

    agreements = Agreement.objects.all()

    def clean(self, value, row=None, **kwargs):
        if is_empty(value):
            return None
        text = str(value).strip()
        found = list(self.agreements.filter(slug=text)[:1])
        if not found:
            found = list(self.agreements.filter(search_key=search_key(text))[:6])
        if len(found) == 1:
            return found[0]
        if not found:
            raise ValueError(
                _("No agreement has the title or short name “%(value)s”.") % {"value": value}
            )
        raise ValueError(
            _(
                "Several agreements have the title “%(value)s”; write the short name of one: "
                "%(candidates)s."
            )
            % {"value": value, "candidates": ", ".join(a.slug or str(a.pk) for a in found)}
        )

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return value.slug or value.title


class LocalityWidget(widgets.Widget):
    """A locality by official code, or by name with diacritics and case ignored; 'Làng Ghè, Xã
    Ia Dơk' names the unit it lies in when several share a name."""

    def clean(self, value, row=None, **kwargs):
        if is_empty(value):
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(int(value))  # a code typed into a number cell
        text = str(value).strip()
        found = list(Locality.objects.filter(code=text)[:1])
        if not found:
            found = self.by_name(text)
        if len(found) == 1:
            return found[0]
        if not found:
            raise ValueError(_("No locality has the code or name “%(value)s”.") % {"value": value})
        raise ValueError(
            _(
                "Several localities are called “%(value)s”; write the official code, or the name "
                "followed by the unit it lies in: %(candidates)s."
            )
            % {"value": value, "candidates": "; ".join(self.render(loc) for loc in found)}
        )

    @staticmethod
    def by_name(text):
        found = list(
            Locality.objects.filter(search_key=search_key(text)).select_related("parent")[:6]
        )
        if found or "," not in text:
            return found
        name, parent = (part.strip() for part in text.rsplit(",", 1))
        return list(
            Locality.objects.filter(
                search_key=search_key(name), parent__search_key=search_key(parent)
            ).select_related("parent")[:6]
        )

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        if value.code:
            return value.code
        if value.parent_id:
            return f"{value.name}, {value.parent.name}"
        return value.name


def outside_agreement(activity, exclude=()):
    """The giver or recipient that is neither a party to the activity's agreement nor a village
    or unit within one (the rule of the admin's form)."""
    names = [n for n in ("giver", "recipient") if n not in exclude and getattr(activity, n + "_id")]
    if not names or activity.agreement_id is None:
        return {}
    party_ids = set(activity.agreement.parties.values_list("locality_id", flat=True))
    errors = {}
    for name in names:
        locality = getattr(activity, name)
        if locality.pk in party_ids or party_ids.intersection(ancestor_ids(locality)):
            continue
        errors[name] = ValidationError(
            _(
                "%(locality)s is not a party to “%(agreement)s”, nor a village or unit "
                "within one of its parties."
            )
            % {"locality": locality, "agreement": activity.agreement},
            code="outside_agreement",
        )
    return errors


def column(attribute, name, widget):
    return fields.Field(attribute=attribute, column_name=name, widget=widget)


class ActivityResource(resources.ModelResource):
    agreement = column("agreement", gettext_lazy("Agreement"), AgreementWidget())
    activity_type = column("activity_type", gettext_lazy("Type"), ActivityTypeWidget())
    status = column(
        "status",
        gettext_lazy("Status"),
        ChoiceWidget(ActivityStatus, ActivityStatus.DELIVERED),
    )
    giver = column("giver", gettext_lazy("Giver"), LocalityWidget())
    recipient = column("recipient", gettext_lazy("Recipient"), LocalityWidget())
    recipient_detail = column(
        "recipient_detail", gettext_lazy("Recipients in detail"), TextWidget()
    )
    funder = column("funder", gettext_lazy("Funded by"), TextWidget())
    starts_on = column("starts_on", gettext_lazy("Date or start"), DateWidget())
    ends_on = column("ends_on", gettext_lazy("End"), DateWidget())
    date_precision = column(
        "date_precision",
        gettext_lazy("Date known to the"),
        ChoiceWidget(DatePrecision, DatePrecision.DAY),
    )
    quantity = column("quantity", gettext_lazy("Quantity"), NumberWidget())
    quantity_qualifier = column(
        "quantity_qualifier", gettext_lazy("Quantity is"), ChoiceWidget(Qualifier, Qualifier.EXACT)
    )
    value_vnd = column("value_vnd", gettext_lazy("Value (VND)"), VNDWidget())
    value_qualifier = column(
        "value_qualifier", gettext_lazy("Value is"), ChoiceWidget(Qualifier, Qualifier.EXACT)
    )
    beneficiaries = column(
        "beneficiaries", gettext_lazy("Beneficiaries"), NumberWidget(integer=True)
    )
    description = column("description", gettext_lazy("Description"), TextWidget())

    # The natural key of a row: a second import of the same file updates, never duplicates.
    NATURAL_KEY = ("agreement", "activity_type", "starts_on", "description")

    class Meta:
        model = Activity
        fields = (
            "agreement",
            "activity_type",
            "status",
            "giver",
            "recipient",
            "recipient_detail",
            "funder",
            "starts_on",
            "ends_on",
            "date_precision",
            "quantity",
            "quantity_qualifier",
            "value_vnd",
            "value_qualifier",
            "beneficiaries",
            "description",
        )
        import_id_fields = ()
        use_transactions = True
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def __init__(self, agreements=None, **kwargs):
        """`agreements`: those the user may import into and export (all when None); the
        admin passes its scope here."""
        super().__init__(**kwargs)
        self.agreements = Agreement.objects.all() if agreements is None else agreements
        self.fields["agreement"].widget.agreements = self.agreements
        # Headers in the language of the request that builds the resource: the row dicts are
        # keyed by plain strings.
        for field in self.fields.values():
            field.column_name = str(field.column_name)

    def get_queryset(self):
        return Activity.objects.filter(agreement__in=self.agreements).select_related(
            "agreement", "activity_type", "giver__parent", "recipient__parent"
        )

    def get_instance(self, instance_loader, row):
        key = {}
        for name in self.NATURAL_KEY:
            field = self.fields[name]
            if field.column_name not in row:
                return None
            try:
                key[name] = field.clean(row)
            except ValueError:
                return None  # told at its column by import_instance
        if key["agreement"] is None or key["activity_type"] is None or key["starts_on"] is None:
            return None
        return self.get_queryset().filter(**key).order_by("pk").first()

    def import_data(self, dataset, *args, **kwargs):
        # One bad row and nothing is written, through the admin or the API alike.
        kwargs["rollback_on_validation_errors"] = True
        result = super().import_data(dataset, *args, **kwargs)
        # Rows numbered as the spreadsheet numbers them: the headers are row 1.
        for row in (*result.invalid_rows, *result.error_rows):
            row.number += 1
        return result

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """Errors told by column header, as the clerk sees them in the file."""
        errors = dict(import_validation_errors or {})
        errors.update(outside_agreement(instance, exclude=errors))
        try:
            super().validate_instance(instance, errors, validate_unique)
        except ValidationError as error:
            columns = {name: field.column_name for name, field in self.fields.items()}
            raise ValidationError(
                {
                    columns.get(name, name) if name != NON_FIELD_ERRORS else name: messages
                    for name, messages in error.message_dict.items()
                }
            ) from error

    def export_field(self, field, instance, **kwargs):
        return neutralised(super().export_field(field, instance, **kwargs))
