"""Activities in and out of Excel, as a clerk types them: Vietnamese headers, dates such as
26/7/2003, money as 30.000.000 or 30000000, localities by official code or by name (diacritics
ignored), types and qualifiers by their Vietnamese names, funders by name (diacritics ignored).

Every widget raises ValueError with a sentence that names the bad value: import-export shows it
at the row and column that is wrong. A row is matched to an existing activity by its natural key
(agreement, type, date, description), so importing the same file twice changes nothing.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import widgets

from activities.figures import parse_number, parse_vnd
from activities.models import (
    Activity,
    ActivityStatus,
    ActivityType,
    Award,
    AwardForm,
    AwardLevel,
    Funder,
    OutcomeIndicator,
    OutcomeValue,
    Qualifier,
)
from agreements.models import Agreement, DatePrecision
from agreements.parties import within_parties
from agreements.revisions import import_refusal
from localities.models import Locality
from localities.scopes import WHOLE
from localities.spreadsheets import (
    ChoiceWidget,
    DateWidget,
    LocalityWidget,
    SpreadsheetResource,
    TextWidget,
    column,
    is_empty,
    label_of,
    labelled,
)
from localities.text import search_key


def minus_as_hyphen(text):
    """A minus sign or a dash before a figure, as word processors type them, read as '-'."""
    return text.replace("\N{MINUS SIGN}", "-").replace("\N{EN DASH}", "-")


class NumberWidget(widgets.Widget):
    """'1.700', '7,5', '30 000' or a number cell; whole numbers only when `integer` is set."""

    def __init__(self, integer=False, **kwargs):
        self.integer = integer
        super().__init__(**kwargs)

    def negative(self, value):
        return _("“%(value)s” is below zero: write the figure without a minus sign, e.g. 5.") % {
            "value": value
        }

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
            text = minus_as_hyphen(str(value).strip())
            try:
                number = parse_number(text.removeprefix("-").strip())
            except ValueError:
                raise ValueError(self.error(value)) from None
            if text.startswith("-") and number:
                number = -number
        if number < 0:
            raise ValueError(self.negative(value))
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
        text = minus_as_hyphen(str(value).strip())
        try:
            amount = parse_vnd(text.removeprefix("-").strip())
        except ValidationError:
            raise ValueError(self.error(value)) from None
        if text.startswith("-") and amount:
            raise ValueError(self.negative(value))
        return amount


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


class FunderWidget(widgets.Widget):
    """A funder by its name, diacritics, case and spaces ignored; never created by an import
    (a misspelt name would make a second funder): an unknown one is the row's error."""

    def clean(self, value, row=None, **kwargs):
        if is_empty(value):
            return None
        name = TextWidget().clean(value)  # the quote put before a would-be formula, taken off
        key = search_key(name)
        if not hasattr(self, "_found"):
            self._found = {}  # search key → funder or None: one query per name in a file
        if key not in self._found:
            self._found[key] = Funder.objects.filter(search_key=key).first()
        if self._found[key] is None:
            raise ValueError(
                _(
                    "No funder is called “%(value)s”. Add it to the funders first, or leave "
                    "the cell empty."
                )
                % {"value": value}
            )
        return self._found[key]

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class AgreementWidget(widgets.Widget):
    """An agreement by its slug, or by its exact title with diacritics and case ignored; written
    as its title followed by its slug, which reads back to it ('Xã Ia Dơk – Phường An Nhơn Bắc
    (xa-ia-dok-phuong-an-nhon-bac-2025)')."""

    agreements = Agreement.objects.all()

    def clean(self, value, row=None, **kwargs):
        if is_empty(value):
            return None
        text = str(value).strip()
        label = label_of(text)
        if label is not None:
            # 'Title (slug)', as render writes it: the slug's agreement, if the title is its own.
            title, slug = label
            labelled_agreement = self.agreements.filter(slug=slug).first()
            if labelled_agreement is not None:
                if search_key(title) != search_key(str(labelled_agreement)):
                    raise ValueError(
                        _(
                            "“%(value)s”: the short name %(slug)s is that of “%(title)s”, not of "
                            "the title written before it; write the short name or the title alone."
                        )
                        % {"value": value, "slug": slug, "title": labelled_agreement}
                    )
                return labelled_agreement
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
        return labelled(value.title, value.slug)


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
        if within_parties(party_ids, locality):
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


class ActivityResource(SpreadsheetResource):
    agreement = column("agreement", gettext_lazy("Agreement"), AgreementWidget())
    activity_type = column("activity_type", gettext_lazy("Type"), ActivityTypeWidget())
    status = column(
        "status",
        gettext_lazy("Status"),
        # "Cam kết" named a pledge until the word went to the agreements' commitments alone.
        ChoiceWidget(
            ActivityStatus,
            ActivityStatus.DELIVERED,
            aliases={"Cam kết": ActivityStatus.PLEDGED, "Đã cam kết": ActivityStatus.PLEDGED},
        ),
    )
    giver = column("giver", gettext_lazy("Giver"), LocalityWidget())
    recipient = column("recipient", gettext_lazy("Recipient"), LocalityWidget())
    recipient_detail = column(
        "recipient_detail", gettext_lazy("Recipients in detail"), TextWidget()
    )
    funder = column("funder", gettext_lazy("Funded by"), FunderWidget())
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

    def __init__(self, agreements=None, may_publish=True, **kwargs):
        """`agreements`: those the user may import into and export (all when None); the
        admin passes its scope here. `may_publish` False: rows changing a published
        agreement's activities are refused (agreements.revisions)."""
        super().__init__(**kwargs)
        self.may_publish = may_publish
        self.agreements = Agreement.objects.all() if agreements is None else agreements
        self.fields["agreement"].widget.agreements = self.agreements

    def get_queryset(self):
        return Activity.objects.filter(agreement__in=self.agreements).select_related(
            "agreement", "activity_type", "giver__parent", "recipient__parent", "funder"
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

    def row_errors(self, instance, errors):
        return outside_agreement(instance, exclude=errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        skip = super().skip_row(instance, original, row, import_validation_errors)
        if skip or self.may_publish or import_validation_errors is None:
            return skip
        # `original` is the row as stored, before the file's values: the agreement it leaves.
        refusal = import_refusal([instance.agreement_id, getattr(original, "agreement_id", None)])
        if refusal is not None:
            import_validation_errors.setdefault("agreement", refusal)
        return skip


# --- Outcome indicators ------------------------------------------------------------------------


class IndicatorWidget(widgets.Widget):
    """An outcome indicator by its name (diacritics and case ignored)."""

    def clean(self, value, row=None, **kwargs):
        if is_empty(value):
            return None
        if not hasattr(self, "_indicators"):
            self._indicators = list(OutcomeIndicator.objects.all())
        key = search_key(value)
        for indicator in self._indicators:
            if key in (search_key(indicator.name), search_key(indicator.name_en)):
                return indicator
        raise ValueError(
            _("No indicator is called “%(value)s”. The indicators are: %(indicators)s.")
            % {"value": value, "indicators": ", ".join(i.name for i in self._indicators)}
        )

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class OutcomeValueResource(SpreadsheetResource):
    """A locality's indicators year by year, as the statistics office publishes them: one value
    a row. A second import of the same file updates the same rows (locality, indicator and
    year), never duplicates them; a file with a wrong row imports nothing."""

    locality = column("locality", gettext_lazy("Locality"), LocalityWidget())
    indicator = column("indicator", gettext_lazy("Indicator"), IndicatorWidget())
    year = column("year", gettext_lazy("Year"), NumberWidget(integer=True))
    value = column("value", gettext_lazy("Value"), NumberWidget())
    status = column("status", gettext_lazy("Status in words"), TextWidget())
    source = column("source", gettext_lazy("Source"), TextWidget())
    as_of = column("as_of", gettext_lazy("As of"), DateWidget())
    note = column("note", gettext_lazy("Note"), TextWidget())

    NATURAL_KEY = ("locality", "indicator", "year")

    class Meta:
        model = OutcomeValue
        fields = ("locality", "indicator", "year", "value", "status", "source", "as_of", "note")

    def __init__(self, scope=None, **kwargs):
        """`scope`: the localities.scopes.Scope of the account importing (the whole province
        when None): its rows name localities in its charge only."""
        super().__init__(**kwargs)
        self.scope = WHOLE if scope is None else scope
        in_scope = Locality.objects.filter(self.scope.localities())
        self.fields["locality"].widget.localities = in_scope

    def get_queryset(self):
        return OutcomeValue.objects.filter(self.scope.localities("locality")).select_related(
            "locality__parent", "indicator"
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
        if any(value is None for value in key.values()):
            return None
        return self.get_queryset().filter(**key).first()


class AwardResource(SpreadsheetResource):
    """The merit register as a workbook (export only): one award a row, the recipients named
    in one cell, people marked as such. Staff's file: every name, public or not."""

    agreement = column("agreement__title", gettext_lazy("Agreement"), TextWidget())
    form = column("form", gettext_lazy("Form"), ChoiceWidget(AwardForm, ""))
    level = column("level", gettext_lazy("Level"), ChoiceWidget(AwardLevel, ""))
    issuer = column("issuer", gettext_lazy("Given by"), TextWidget())
    decision_number = column("decision_number", gettext_lazy("Decision number"), TextWidget())
    decided_on = column("decided_on", gettext_lazy("Date"), DateWidget())
    period_from = column("period_from", gettext_lazy("Period from"), widgets.IntegerWidget())
    period_to = column("period_to", gettext_lazy("Period to"), widgets.IntegerWidget())
    reason = column("reason", gettext_lazy("For"), TextWidget())
    collectives = column("collectives", gettext_lazy("Collectives"), widgets.IntegerWidget())
    people = column("people", gettext_lazy("People"), widgets.IntegerWidget())
    recipients = column("recipients", gettext_lazy("Named recipients"), TextWidget())
    activities = column("activities", gettext_lazy("Justifying activities"), TextWidget())

    class Meta:
        model = Award
        fields = (
            "agreement",
            "form",
            "level",
            "issuer",
            "decision_number",
            "decided_on",
            "period_from",
            "period_to",
            "reason",
            "collectives",
            "people",
            "recipients",
            "activities",
        )

    def __init__(self, agreements=None, **kwargs):
        """`agreements`: those in the exporting account's scope (every one when None)."""
        super().__init__(**kwargs)
        self.agreements = agreements

    def get_queryset(self):
        awards = Award.objects.select_related("agreement").prefetch_related(
            "recipients__locality", "activities"
        )
        if self.agreements is not None:
            awards = awards.filter(agreement__in=self.agreements)
        return awards

    def dehydrate_recipients(self, award):
        names = []
        for recipient in award.recipients.all():
            name = str(recipient)
            if recipient.title:
                name = f"{name} – {recipient.title}"
            names.append(f"{name} ({_('a person')})" if recipient.is_person else name)
        return "; ".join(names)

    def dehydrate_activities(self, award):
        return "; ".join(a.description or str(a) for a in award.activities.all())
