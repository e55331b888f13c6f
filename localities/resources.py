"""Villages in and out of Excel: a village (thôn, làng, buôn, plei, tổ dân phố) a row, with the
commune, ward or special zone it belongs to and whether it lies in an ethnic-minority area.

A row is matched to an existing village by its commune and its name with diacritics and case
ignored, so a second import of the same file updates, never duplicates. A new village gets a free
slug as the admin's form gives one (localities.slugs); an existing one keeps its web address.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from localities.models import Locality, LocalityKind
from localities.scopes import WHOLE
from localities.slugs import free_slug
from localities.spreadsheets import (
    LocalityWidget,
    SpreadsheetResource,
    TextWidget,
    YesNoWidget,
    column,
)
from localities.text import search_key

# What a village belongs to since 1-7-2025.
VILLAGE_PARENT_KINDS = (LocalityKind.COMMUNE, LocalityKind.WARD, LocalityKind.SPECIAL_ZONE)


class CommuneWidget(LocalityWidget):
    """A commune, ward or special zone by official code or by name."""

    localities = Locality.objects.filter(kind__in=VILLAGE_PARENT_KINDS)

    def not_found(self, value):
        if LocalityWidget().by_name(str(value).strip()):
            return _(
                "“%(value)s” is not a commune, a ward or a special zone: a village belongs to "
                "one of these."
            ) % {"value": value}
        return _("No commune, ward or special zone has the code or name “%(value)s”.") % {
            "value": value
        }


class VillageResource(SpreadsheetResource):
    name = column("name", gettext_lazy("Village"), TextWidget())
    parent = column("parent", gettext_lazy("Commune, ward or special zone"), CommuneWidget())
    is_ethnic_minority_area = column(
        "is_ethnic_minority_area", gettext_lazy("Ethnic-minority area"), YesNoWidget()
    )
    note = column("note", gettext_lazy("Note"), TextWidget())

    # Derived: the search key in save(), the slug by import_instance (free, so unique).
    clean_exclude = ("search_key", "slug")

    class Meta:
        model = Locality
        fields = ("name", "parent", "is_ethnic_minority_area", "note")

    def __init__(self, scope=None, **kwargs):
        """`scope`: the localities.scopes.Scope of the account importing (the whole province
        when None): it adds villages only to the communes and wards in its charge."""
        super().__init__(**kwargs)
        self.scope = WHOLE if scope is None else scope

    def get_queryset(self):
        return Locality.objects.filter(kind=LocalityKind.VILLAGE)

    def filter_export(self, queryset, **kwargs):
        return queryset.filter(kind=LocalityKind.VILLAGE).select_related("parent__parent")

    def init_instance(self, row=None):
        return Locality(kind=LocalityKind.VILLAGE)

    def get_instance(self, instance_loader, row):
        key = {}
        for name in ("name", "parent"):
            field = self.fields[name]
            if field.column_name not in row:
                return None
            try:
                key[name] = field.clean(row)
            except ValueError:
                return None  # told at its column by import_instance
        if not key["name"] or key["parent"] is None:
            return None
        return (
            Locality.objects.filter(
                kind=LocalityKind.VILLAGE,
                parent=key["parent"],
                search_key=search_key(key["name"]),
            )
            .order_by("pk")
            .first()
        )

    def import_instance(self, instance, row, **kwargs):
        try:
            super().import_instance(instance, row, **kwargs)
        finally:
            if not instance.slug and instance.name:
                instance.slug = free_slug(instance.name, instance.parent)

    def row_errors(self, instance, errors):
        parent = instance.parent if instance.parent_id else None
        if "parent" in errors or parent is None or self.scope.covers(parent):
            return {}
        return {
            "parent": ValidationError(
                _(
                    "%(locality)s is not among the localities in your charge: you may import "
                    "villages only into the communes and wards in your charge."
                )
                % {"locality": parent},
                code="out_of_scope",
            )
        }
