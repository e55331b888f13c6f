"""Agreements in and out of Excel, one row per agreement with its parties and their signatories.

Parties are named by official code or by name (localities.spreadsheets.LocalityWidget), legal
documents by number ("03-CT/TU; 43/KH-UBND"). A row is matched to an existing agreement by its
short name (slug) when the row gives one, otherwise by its signing parties and signing date: a
second import of the same file updates, never duplicates. An update changes the agreement's own
fields, its legal basis and its signatories, never which localities are its parties: that is done
on the agreement's page, where the admin's checks apply. Imported agreements are drafts; a matched
published agreement stays published (publishing is a reviewer's act, agreements.services).
"""

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, widgets

from agreements.models import Agreement, LegalDocument, Party, PartyRole
from agreements.revisions import import_refusal
from agreements.services import TITLE_SEPARATOR, complete_agreement
from localities.models import Locality
from localities.scopes import WHOLE
from localities.spreadsheets import (
    DateWidget,
    LocalityWidget,
    SpreadsheetResource,
    TextWidget,
    column,
    is_empty,
)
from localities.text import search_key

# A column the file does not have: what it would set is left as it is.
MISSING = object()
# The agreement's own fields that a row sets.
OWN_FIELDS = ("title", "signed_on", "signed_at_place", "ended_on", "summary", "slug")

SIGNING_SLOTS = (1, 2, 3)
COORDINATOR = "coordinator"
SIGNATORY_SUFFIXES = (("signatory_name", "_signatory"), ("signatory_title", "_signatory_title"))
# The party columns of a row, by resource field name, in the file's order.
PARTY_FIELDS = (
    *(
        f"party_{n}{suffix}"
        for n in SIGNING_SLOTS
        for suffix in ("", "_signatory", "_signatory_title")
    ),
    COORDINATOR,
)


def party_slots(agreement):
    """{1: Party, 2: Party, 3: Party, "coordinator": Party}: the signing parties in their order,
    then the first coordinating unit, as the row's columns show them.

    Read once per agreement object (kept on it): from its prefetched parties on export, with one
    query otherwise.
    """
    slots = agreement.__dict__.get("_party_slots")
    if slots is not None:
        return slots
    slots = {}
    if agreement.pk is not None:
        if "parties" in getattr(agreement, "_prefetched_objects_cache", {}):
            parties = agreement.parties.all()
        else:
            parties = agreement.parties.select_related("locality__parent")
        parties = sorted(parties, key=lambda party: (party.position, party.pk))
        signing = [party for party in parties if party.role == PartyRole.PARTY]
        slots.update(zip(SIGNING_SLOTS, signing, strict=False))
        coordinators = [party for party in parties if party.role == PartyRole.COORDINATOR]
        if coordinators:
            slots[COORDINATOR] = coordinators[0]
    agreement.__dict__["_party_slots"] = slots
    return slots


class PartyColumn(fields.Field):
    """One cell of a party: its locality, or its signatory's name or title. Read and written by
    AgreementResource itself (the attribute is None, so import-export leaves it alone)."""

    def __init__(self, slot, part, column_name, widget):
        super().__init__(attribute=None, column_name=column_name, widget=widget)
        self.slot, self.part = slot, part

    def get_value(self, instance):
        party = party_slots(instance).get(self.slot)
        return getattr(party, self.part) if party is not None else None


class LegalBasisColumn(fields.Field):
    """The legal documents an agreement is signed under; saved by AgreementResource itself."""

    def __init__(self, column_name, widget):
        super().__init__(attribute=None, column_name=column_name, widget=widget)

    def get_value(self, instance):
        return list(instance.legal_basis.all()) if instance.pk is not None else []


class LegalBasisWidget(widgets.Widget):
    """Legal documents by number, separated by ';' ("03-CT/TU; 43/KH-UBND"), case and
    diacritics ignored; by short name (slug) when several documents share a number. Each must
    already be entered in the administration."""

    SEPARATORS = re.compile(r"[;\n]")

    def documents(self):
        """Every legal document, read once per resource (the table is short)."""
        if not hasattr(self, "_documents"):
            self._documents = list(LegalDocument.objects.all())
            self._numbers = Counter(search_key(d.number) for d in self._documents)
        return self._documents

    def clean(self, value, row=None, **kwargs):
        if is_empty(value):
            return []
        found = []
        for text in (part.strip() for part in self.SEPARATORS.split(str(value))):
            if not text:
                continue
            key = search_key(text)
            matches = [d for d in self.documents() if text == d.slug or key == search_key(d.number)]
            if not matches:
                raise ValueError(
                    _(
                        "No legal document has the number “%(value)s”: enter the document in "
                        "the administration first, or correct its number."
                    )
                    % {"value": text}
                )
            if len(matches) > 1:
                raise ValueError(
                    _(
                        "Several legal documents have the number “%(value)s”; write the short "
                        "name of one: %(candidates)s."
                    )
                    % {"value": text, "candidates": ", ".join(d.slug for d in matches)}
                )
            if matches[0] not in found:
                found.append(matches[0])
        return found

    def render(self, value, obj=None, **kwargs):
        if not value:
            return ""
        self.documents()
        return "; ".join(
            d.number if self._numbers[search_key(d.number)] == 1 else d.slug for d in value
        )


class SlugWidget(TextWidget):
    """A short name; an empty cell keeps the agreement's own (its web address stays)."""

    def clean(self, value, row=None, **kwargs):
        return super().clean(value, row, **kwargs) or None


@dataclass
class PartyCells:
    """A party as a row gives it; a signatory of None is a column the file does not have."""

    field: str  # the resource field of its locality column
    locality: Locality | None
    role: str
    position: int
    signatory_name: str | None = None
    signatory_title: str | None = None


@dataclass
class RowParts:
    """What a row sets beyond the agreement's own fields, saved after it."""

    parties: list[PartyCells]
    legal_basis: Any  # a list of LegalDocument, or MISSING


def made_title(parties):
    """The title complete_agreement makes from the signing parties' names, in their order:
    'Xã Ia Dơk – Phường An Nhơn Bắc'."""
    signing = [cells for cells in parties if cells.role == PartyRole.PARTY and cells.locality]
    return TITLE_SEPARATOR.join(cells.locality.name for cells in signing)


def party_column(slot, part, name):
    widget = LocalityWidget() if part == "locality" else TextWidget()
    return PartyColumn(slot, part, name, widget)


class AgreementResource(SpreadsheetResource):
    title = column("title", gettext_lazy("Title"), TextWidget())
    signed_on = column("signed_on", gettext_lazy("Signed on"), DateWidget())
    signed_at_place = column("signed_at_place", gettext_lazy("Place of signing"), TextWidget())
    ended_on = column("ended_on", gettext_lazy("Ended on"), DateWidget())
    summary = column("summary", gettext_lazy("Summary"), TextWidget())
    slug = fields.Field(
        attribute="slug",
        column_name=gettext_lazy("Short name"),
        widget=SlugWidget(),
        saves_null_values=False,
    )
    legal_basis = LegalBasisColumn(gettext_lazy("Legal basis"), LegalBasisWidget())
    party_1 = party_column(1, "locality", gettext_lazy("First party"))
    party_1_signatory = party_column(1, "signatory_name", gettext_lazy("First party's signatory"))
    party_1_signatory_title = party_column(
        1, "signatory_title", gettext_lazy("First party's signatory title")
    )
    party_2 = party_column(2, "locality", gettext_lazy("Second party"))
    party_2_signatory = party_column(2, "signatory_name", gettext_lazy("Second party's signatory"))
    party_2_signatory_title = party_column(
        2, "signatory_title", gettext_lazy("Second party's signatory title")
    )
    party_3 = party_column(3, "locality", gettext_lazy("Third party"))
    party_3_signatory = party_column(3, "signatory_name", gettext_lazy("Third party's signatory"))
    party_3_signatory_title = party_column(
        3, "signatory_title", gettext_lazy("Third party's signatory title")
    )
    coordinator = party_column(COORDINATOR, "locality", gettext_lazy("Coordinating unit"))

    clean_exclude = ("search_key",)

    class Meta:
        model = Agreement
        fields = (
            "title",
            "signed_on",
            "signed_at_place",
            "ended_on",
            "summary",
            "slug",
            "legal_basis",
            *PARTY_FIELDS,
        )

    def __init__(self, scope=None, may_publish=True, **kwargs):
        """`scope`: the localities.scopes.Scope of the account importing or exporting (the
        whole province when None); the admin passes the account's own. `may_publish` False:
        rows changing a published agreement are refused (agreements.revisions)."""
        super().__init__(**kwargs)
        self.scope = WHOLE if scope is None else scope
        self.may_publish = may_publish

    # --- Export ----------------------------------------------------------------------------

    def get_queryset(self):
        return Agreement.objects.within(self.scope)

    def filter_export(self, queryset, **kwargs):
        # The admin passes its change list's rows, already within the scope; the scope is
        # applied again so that no caller can export beyond it.
        if not self.scope.is_whole:
            queryset = queryset.filter(pk__in=Agreement.objects.within(self.scope).values("pk"))
        return queryset.prefetch_related(
            Prefetch("parties", queryset=Party.objects.select_related("locality__parent")),
            "legal_basis",
        )

    # --- Import: reading a row -------------------------------------------------------------

    def cell(self, name, row):
        """The cleaned value of a column (ValueError when it is wrong), or MISSING."""
        field = self.fields[name]
        if field.column_name not in row:
            return MISSING
        return field.clean(row)

    def cell_or_none(self, name, row):
        try:
            value = self.cell(name, row)
        except ValueError:
            return None  # told at its column by import_instance
        return None if value is MISSING else value

    def read_parties(self, row):
        """The row's parties ([PartyCells]) and the errors of their cells, by field name."""
        parties, errors = [], {}
        slots = [(n, f"party_{n}", PartyRole.PARTY) for n in SIGNING_SLOTS]
        slots.append((COORDINATOR, COORDINATOR, PartyRole.COORDINATOR))
        for position, (slot, name, role) in enumerate(slots):
            try:
                locality = self.cell(name, row)
            except ValueError as error:
                errors[name] = ValidationError(str(error), code="invalid")
                locality = None
            cells = PartyCells(
                field=name,
                locality=None if locality is MISSING else locality,
                role=role,
                position=position,
            )
            if slot != COORDINATOR:
                for attr, suffix in SIGNATORY_SUFFIXES:
                    value = self.cell(name + suffix, row)  # text: never wrong
                    setattr(cells, attr, None if value is MISSING else value)
            parties.append(cells)
        return parties, errors

    def get_instance(self, instance_loader, row):
        """The agreement with the row's short name, or else the one signed by exactly the row's
        signing parties on its signing date, among those of the scope only: an agreement outside
        it is never found, so that no answer tells whether one exists (a row about one is
        refused as any row whose parties are all outside the scope)."""
        in_scope = Agreement.objects.within(self.scope)
        slug = self.cell_or_none("slug", row)
        if slug:
            found = in_scope.filter(slug=slug).first()
            if found is not None:
                return found
        signers = [self.cell_or_none(f"party_{n}", row) for n in SIGNING_SLOTS]
        signers = [locality for locality in signers if locality is not None]
        if len(signers) < 2 or len({locality.pk for locality in signers}) < len(signers):
            return None
        candidates = in_scope.annotate(
            signers=Count("parties", filter=Q(parties__role=PartyRole.PARTY))
        ).filter(signers=len(signers))
        for locality in signers:
            candidates = candidates.filter(
                pk__in=Party.objects.filter(role=PartyRole.PARTY, locality=locality).values(
                    "agreement"
                )
            )
        try:
            signed_on = self.cell("signed_on", row)
        except ValueError:
            return None
        if signed_on is not MISSING:  # without the column, the parties alone are the key
            candidates = candidates.filter(
                Q(signed_on=signed_on) if signed_on else Q(signed_on__isnull=True)
            )
        found = list(candidates.order_by("pk").values_list("pk", flat=True)[:6])
        if not found:
            return None
        if len(found) > 1:
            agreements = Agreement.objects.filter(pk__in=found).order_by("pk")
            raise ValidationError(
                {
                    self.fields["slug"].column_name: _(
                        "Several agreements are signed by these parties on this date; write "
                        "the short name of the one this row is about: %(candidates)s."
                    )
                    % {"candidates": ", ".join(a.slug or str(a.pk) for a in agreements)}
                }
            )
        return Agreement.objects.get(pk=found[0])

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        parties, party_errors = self.read_parties(row)
        errors.update(party_errors)
        try:
            legal_basis = self.cell("legal_basis", row)
        except ValueError as error:
            errors["legal_basis"] = ValidationError(str(error), code="invalid")
            legal_basis = MISSING
        instance._import_parts = RowParts(parties, legal_basis)
        if not instance.title:
            # Made here rather than left to complete_agreement: an agreement already entered
            # would otherwise be saved once without a title, and its history would show it.
            instance.title = made_title(parties)
        if errors:
            raise ValidationError(errors)

    # --- Import: checking a row ------------------------------------------------------------

    def row_errors(self, instance, errors):
        parts = getattr(instance, "_import_parts", None)
        if parts is None:
            return {}
        found = {}
        named = [cells for cells in parts.parties if cells.locality is not None]
        for cells in parts.parties:
            if cells.locality is None and (cells.signatory_name or cells.signatory_title):
                found[cells.field] = ValidationError(
                    _("Write the party whose signatory this is, or leave the signatory empty."),
                    code="signatory_without_party",
                )
            for attr, suffix in SIGNATORY_SUFFIXES:
                value = getattr(cells, attr)
                if value:
                    try:
                        Party._meta.get_field(attr).clean(value, None)
                    except ValidationError as error:
                        found[cells.field + suffix] = error
        seen = set()
        for cells in named:
            if cells.locality.pk in seen:
                found[cells.field] = ValidationError(
                    _("%(locality)s is named twice among the parties of this row.")
                    % {"locality": cells.locality},
                    code="duplicate_party",
                )
            seen.add(cells.locality.pk)
        if found or any(name in errors for name in PARTY_FIELDS):
            return found  # the parties as read are not all of them: nothing more to say

        signing = [cells for cells in named if cells.role == PartyRole.PARTY]
        if len(signing) < 2:
            empty = next(c for c in parts.parties if c.role == PartyRole.PARTY and not c.locality)
            found[empty.field] = ValidationError(
                _(
                    "An agreement needs at least two twinning parties: write the localities or "
                    "units that signed it in the first and second party columns (a coordinating "
                    "unit does not count)."
                ),
                code="too_few_parties",
            )
            return found
        if (
            not self.scope.is_whole
            and not Locality.objects.filter(
                self.scope.localities(), pk__in=[cells.locality.pk for cells in named]
            ).exists()
        ):
            found["party_1"] = ValidationError(
                _(
                    "None of this row's parties is a locality in your charge, or a unit below "
                    "one: you may import only the agreements of the localities in your charge."
                ),
                code="out_of_scope",
            )
            return found
        if instance.pk is not None:
            found.update(self.other_parties(instance, named))
            if instance.is_published and instance.signed_on is None and "signed_on" not in errors:
                found["signed_on"] = ValidationError(
                    _("A published agreement needs a signing date: unpublish it first."),
                    code="published_needs_date",
                )
        return found

    def other_parties(self, agreement, named):
        """An existing agreement keeps its parties: the row must name the same ones."""
        existing = list(agreement.parties.select_related("locality").order_by("position", "pk"))
        if {p.locality_id: p.role for p in existing} == {c.locality.pk: c.role for c in named}:
            return {}
        same_signers = {p.locality_id for p in existing if p.role == PartyRole.PARTY} == {
            c.locality.pk for c in named if c.role == PartyRole.PARTY
        }
        return {
            COORDINATOR if same_signers else "party_1": ValidationError(
                _(
                    "“%(agreement)s” has other parties than this row: %(parties)s. An "
                    "agreement's parties are changed on its page in the administration, not by "
                    "an import."
                )
                % {
                    "agreement": agreement,
                    "parties": "; ".join(
                        f"{p.locality} ({p.get_role_display()})" for p in existing
                    ),
                },
                code="other_parties",
            )
        }

    def _unchanged(self, instance, original, import_validation_errors):
        """Unchanged: nothing to save, and no history version for nothing. Also notes whether
        the agreement's own fields change, or only its parties and legal basis."""
        if import_validation_errors:
            return False
        instance._own_fields_changed = instance.pk is None or any(
            getattr(instance, name) != getattr(original, name) for name in OWN_FIELDS
        )
        if instance._own_fields_changed:
            return False
        parts = instance._import_parts
        if parts.legal_basis is not MISSING and {d.pk for d in parts.legal_basis} != set(
            original.legal_basis.values_list("pk", flat=True)
        ):
            return False
        return not self.party_changes(original, parts.parties)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        skip = self._unchanged(instance, original, import_validation_errors)
        if not skip and not self.may_publish and import_validation_errors is not None:
            refusal = import_refusal([instance.pk])
            if refusal is not None:
                import_validation_errors.setdefault("title", refusal)
        return skip

    def do_instance_save(self, instance, is_create):
        if is_create or getattr(instance, "_own_fields_changed", True):
            super().do_instance_save(instance, is_create)

    @staticmethod
    def party_changes(agreement, cells_list):
        """[(Party, {attribute: value})]: the parties to create or change for the row."""
        existing = {p.locality_id: p for p in agreement.parties.all()} if agreement.pk else {}
        named = [cells for cells in cells_list if cells.locality is not None]
        signing_order = [
            p.locality_id
            for p in sorted(existing.values(), key=lambda p: (p.position, p.pk))
            if p.role == PartyRole.PARTY
        ]
        reordered = signing_order != [c.locality.pk for c in named if c.role == PartyRole.PARTY]
        changes = []
        for cells in named:
            party = existing.get(cells.locality.pk)
            if party is None:
                party = Party(
                    agreement=agreement,
                    locality=cells.locality,
                    role=cells.role,
                    position=cells.position,
                )
                changed = {
                    "signatory_name": cells.signatory_name or "",
                    "signatory_title": cells.signatory_title or "",
                }
                changes.append((party, changed))
                continue
            changed = {}
            for attr in ("signatory_name", "signatory_title"):
                value = getattr(cells, attr)
                if value is not None and getattr(party, attr) != value:
                    changed[attr] = value
            if reordered and party.role == PartyRole.PARTY and party.position != cells.position:
                changed["position"] = cells.position
            if changed:
                changes.append((party, changed))
        return changes

    # --- Import: saving a row --------------------------------------------------------------

    def after_save_instance(self, instance, row, **kwargs):
        """The parties and the legal basis, in the row's transaction, then the short name of a
        new agreement, made from its title."""
        if not self._is_using_transactions(kwargs) and self._is_dry_run(kwargs):
            return
        parts = instance._import_parts
        for party, changed in self.party_changes(instance, parts.parties):
            for attr, value in changed.items():
                setattr(party, attr, value)
            party.save()
        if parts.legal_basis is not MISSING:
            wanted = {d.pk for d in parts.legal_basis}
            if wanted != set(instance.legal_basis.values_list("pk", flat=True)):
                instance.legal_basis.set(parts.legal_basis)
        complete_agreement(instance)
        instance.__dict__.pop("_party_slots", None)
