"""The dashboards' filters, read from the address (GET) so that a filtered dashboard can be
bookmarked, sent and printed.

A bad value is never an error page: the form says what is wrong at the field, that filter is
left out, and the page shows the figures of the filters that are valid.
"""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities import reports
from activities.models import ActivityStatus
from agreements.dates import format_date
from ketnghia.public import dashboard_queries as queries
from ketnghia.public.locality_search import LocalityChoice
from localities.languages import Vietnamese
from localities.models import LocalityKind

ALL_FIELDS = ("year_from", "year_to", "locality", "party_kind", "area", "status")
FIRST_YEAR = 1945
LAST_YEAR = 2100
YEAR_MESSAGES = {
    "invalid": _("Enter a year as a whole number, for example 2025."),
    "min_value": _("Enter a year between 1945 and 2100."),
    "max_value": _("Enter a year between 1945 and 2100."),
}


def _year(label):
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        error_messages=YEAR_MESSAGES,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class LocalityFieldMixin:
    """A GET form's `locality` field (includes/_locality_field.html): a slug, or words of a
    name (locality_search); `locality_choice` says what it names, for the field's template."""

    def clean_locality(self):
        values = self.data.getlist("locality") if hasattr(self.data, "getlist") else []
        choice = queries.locality_choice(values or [self.data.get("locality", "")])
        self._locality_choice = choice
        if choice.error:
            code = "several_localities" if choice.matches else "unknown_locality"
            raise forms.ValidationError(choice.error, code=code)
        return choice.locality

    @property
    def locality_choice(self):
        """What the locality field was sent and names (locality_search.LocalityChoice)."""
        if self.is_bound:
            self.is_valid()
        return getattr(self, "_locality_choice", LocalityChoice())


class DashboardForm(LocalityFieldMixin, forms.Form):
    """Parameters: year_from, year_to (years, inclusive), locality (a locality's slug, or words
    of its name: it and the units below it; see locality_search), party_kind (a LocalityKind
    value), area (a commitment area's slug) and status (delivered, the default, or pledged)."""

    year_from = _year(_("From the year"))
    year_to = _year(_("To the year"))
    # Read by clean_locality from every `locality` of the address (locality_search).
    locality = forms.CharField(
        label=_("Locality or unit (with the units below it)"), required=False
    )
    party_kind = forms.ChoiceField(
        label=_("Kind of party"),
        required=False,
        choices=[("", _("All")), *LocalityKind.choices],
        error_messages={"invalid_choice": _("Choose a kind of party from the list.")},
    )
    area = forms.ChoiceField(
        label=_("Commitment area"),
        required=False,
        error_messages={
            "invalid_choice": _(
                "There is no commitment area with this name. Choose one from the list."
            )
        },
    )
    status = forms.ChoiceField(
        label=_("Pledged or delivered"),
        required=False,
        choices=ActivityStatus.choices,
        error_messages={"invalid_choice": _("Choose pledged or delivered.")},
    )

    def __init__(self, data, *, areas, fixed_locality=None):
        """`areas`: the commitment areas (dashboard_queries.areas()). `fixed_locality`: the
        locality of a locality's dashboard, which the form then does not ask for."""
        super().__init__(data)
        self.areas = {area.slug: area for area in areas}
        self.fields["area"].choices = [("", _("All"))] + [(a.slug, a.label) for a in areas]
        self.fixed_locality = fixed_locality
        self._locality_choice = LocalityChoice()
        if fixed_locality is not None:
            del self.fields["locality"]

    def clean_area(self):
        slug = self.cleaned_data["area"]
        return self.areas.get(slug) if slug else None

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("year_from"), cleaned.get("year_to")
        if first is not None and last is not None and first > last:
            self.add_error(
                "year_to",
                _("The last year cannot be before the first year (%(first)s).") % {"first": first},
            )
        return cleaned

    @property
    def values(self):
        """The valid filters, by name (a wrong value is left out, not guessed)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return self.cleaned_data

    def dashboard_filters(self, *, drafts=None):
        """The filters; `drafts`: the staff scope whose drafts count (None: published only)."""
        values = self.values
        return reports.DashboardFilters(
            year_from=values.get("year_from"),
            year_to=values.get("year_to"),
            locality=self.fixed_locality or values.get("locality"),
            party_kind=values.get("party_kind") or "",
            area=values.get("area"),
            status=values.get("status") or ActivityStatus.DELIVERED,
            include_drafts=drafts is not None,
            drafts_scope=None if drafts is None or drafts.is_whole else drafts,
        )

    def has_filters(self, fields=ALL_FIELDS):
        """Whether any of `fields` is set, other than to the default (delivered figures)."""
        values = {name: value for name, value in self.values.items() if name in fields}
        return (
            any(
                values.get(name) not in (None, "")
                for name in ("year_from", "year_to", "locality", "party_kind", "area")
            )
            or values.get("status") == ActivityStatus.PLEDGED
        )

    def applied(self, fields=ALL_FIELDS):
        """The filters in force among `fields`, as (label, value) pairs for the page's header
        and the export: the period and the locality always, the others when set."""
        values = {name: value for name, value in self.values.items() if name in fields}
        first, last = values.get("year_from"), values.get("year_to")
        if "year_from" not in fields:
            # The coverage: agreements in force at the end of the period (reports.period_end).
            today = timezone.localdate()
            on = today if last is None or last >= today.year else datetime.date(last, 12, 31)
            period = format_date(on)
        elif first is not None and last is not None:
            period = str(first) if first == last else f"{first}–{last}"
        elif first is not None:
            period = _("from %(year)s") % {"year": first}
        elif last is not None:
            period = _("until %(year)s") % {"year": last}
        else:
            period = _("all years")
        place = self.fixed_locality or values.get("locality")
        pairs = [
            (_("Period") if "year_from" in fields else _("Agreements in force on"), period),
            (
                _("Locality or unit"),
                Vietnamese(place.name) if place is not None else _("the whole province"),
            ),
        ]
        if values.get("party_kind"):
            pairs.append((_("Kind of party"), LocalityKind(values["party_kind"]).label))
        if values.get("area") is not None:
            pairs.append((_("Commitment area"), values["area"].label))
        if "status" in fields:
            status = values.get("status") or ActivityStatus.DELIVERED
            pairs.append((_("Figures"), ActivityStatus(status).label))
        return pairs
