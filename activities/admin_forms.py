"""The admin's activity form: figures typed as Vietnamese reports write them, and a giver and a
recipient that belong to the agreement. The funder form: one funder per name, whatever its
spelling.
"""

import json
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from activities.forms import FIGURE_INPUTS, QuantityField, VNDField
from activities.models import Activity, Funder
from agreements.parties import within_parties
from localities import text
from localities.admin import constraint_message

FIGURES = ("quantity", "value_vnd")


class ActivityAdminForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = [
            "agreement",
            "event",
            "plan_item",
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
            "source",
        ]
        field_classes = {"value_vnd": VNDField, "quantity": QuantityField}
        widgets = FIGURE_INPUTS
        help_texts = {
            "value_vnd": _("In đồng, e.g. 30.000.000."),
            "quantity": _("In the type's unit, e.g. 1.700 (sets of clothes) or 7,5 (km)."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each type's unit, shown beside the quantity as the type is chosen
        # (static/ketnghia/activity-unit.js): one query, whatever the number of types.
        field = self.fields.get("activity_type")
        if field is not None:
            units = {str(pk): unit for pk, unit in field.queryset.values_list("pk", "unit")}
            widget = getattr(field.widget, "widget", field.widget)
            widget.attrs["data-units"] = json.dumps(units, ensure_ascii=False)

    def clean(self):
        cleaned = super().clean()
        agreement = cleaned.get("agreement")
        if agreement is not None:
            self._check_belongs_to(agreement)
        # Dates, giver ≠ recipient and "a quantity or a value" are checked by Activity.clean().
        return cleaned

    def _post_clean(self):
        refused = [name for name in FIGURES if self.has_error(name)]
        super()._post_clean()
        if refused:
            # Activity.clean() reads a figure the form refused ("abc") as a missing one and
            # asks for a figure: the message at the refused field is the one that helps.
            missing = str(constraint_message(Activity, "activities_activity_has_figure"))
            for name in FIGURES:
                if name not in self._errors:
                    continue
                kept = [e for e in self._errors[name].as_data() if missing not in e.messages]
                if kept:
                    self._errors[name] = self.error_class(kept, renderer=self.renderer)
                else:
                    del self._errors[name]

    def _check_belongs_to(self, agreement):
        cleaned = self.cleaned_data
        for name in ("event", "source"):
            part = cleaned.get(name)
            if part is not None and part.agreement_id != agreement.pk:
                self.add_error(
                    name,
                    _("This belongs to another agreement; choose one of “%(agreement)s”.")
                    % {"agreement": agreement},
                )
        localities = [(n, cleaned.get(n)) for n in ("giver", "recipient") if cleaned.get(n)]
        if not localities:
            return
        party_ids = set(agreement.parties.values_list("locality_id", flat=True))
        for name, locality in localities:
            if within_parties(party_ids, locality):
                continue
            self.add_error(
                name,
                _(
                    "%(locality)s is not a party to “%(agreement)s”, nor a village or unit "
                    "within one of its parties."
                )
                % {"locality": locality, "agreement": agreement},
            )


class FunderAdminForm(forms.ModelForm):
    class Meta:
        model = Funder
        fields = ["name", "kind", "locality", "slug", "note"]

    def clean_name(self):
        # The name as the list shows it: composed (NFC), single spaces.
        name = " ".join(unicodedata.normalize("NFC", self.cleaned_data["name"]).split())
        # The unique search key, told at the name with the funder it clashes with.
        same = (
            Funder.objects.filter(search_key=text.search_key(name))
            .exclude(pk=self.instance.pk)
            .first()
        )
        if same is not None:
            raise ValidationError(
                _(
                    "“%(funder)s” is already a funder (the names differ only in diacritics, "
                    "case or spaces): choose it rather than adding it again."
                ),
                code="unique",
                params={"funder": same.name},
            )
        return name
