"""Data entry for localities, and what every admin of the project shares.

The site's header names the province (settings.PROVINCE_NAME). It is set here, at import time,
because the admin autodiscovers this module before any page is served.
"""

import datetime
import decimal

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import lookup_spawns_duplicates, unquote
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import (
    EmptyResultSet,
    FieldDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.db import models
from django.db.models import Case, F, Lookup, Q, When
from django.http import Http404
from django.utils import formats
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from localities import import_template, maps, text
from localities.admin_lists import LargeListMixin, kept
from localities.admin_view import ReadOnlyViewMixin
from localities.models import Locality, LocalityKind, StaffLocality, Succession
from localities.resources import VillageResource
from localities.scopes import scope_of
from localities.slugs import free_slug
from localities.spreadsheets import ImportTemplateMixin


def _with_province(message):
    """A lazy string naming the province, read from the settings when it is shown."""
    return lazy(lambda: str(message).format(province=settings.PROVINCE_NAME), str)()


admin.site.site_header = _with_province(_("Twinning – {province}"))
admin.site.site_title = _with_province(_("Twinning administration – {province}"))
admin.site.index_title = _with_province(_("Twinning agreements – {province}"))


def constraint_message(model, name):
    """The violation message of one of the model's constraints, to show it at a field."""
    for constraint in model._meta.constraints:
        if constraint.name == name:
            return constraint.get_violation_error_message()
    raise LookupError(name)


class _ToleratesUnknownValues:
    """An autocomplete widget shown again with a value posted that no row can have (text where
    an id goes, a number too large): shown empty, where Django's would fail looking it up."""

    def optgroups(self, name, value, attr=None):
        try:
            return super().optgroups(name, value, attr)
        except (ValueError, TypeError, ValidationError, OverflowError):
            return super().optgroups(name, [], attr)


class _ToleratesHugeNumbers:
    """A related field (one or several rows) that tells a value no row can have as the error of
    the field, as it does an id of no row: Django's lets an integer too large for the database
    (SQLite) fail the request instead."""

    def clean(self, value):
        try:
            return super().clean(value)
        except OverflowError:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": ""}
            ) from None


def _tolerant(obj, mixin):
    """`obj` made an instance of its class with `mixin` first: copies (each form's fields are
    deep copies) keep it, and whatever a form changes on its copy (a queryset) still counts."""
    obj.__class__ = type(f"Tolerant{type(obj).__name__}", (mixin, type(obj)), {})


def _guarded_choice(field):
    _tolerant(field, _ToleratesHugeNumbers)
    widget = getattr(field.widget, "widget", field.widget)  # inside RelatedFieldWidgetWrapper
    if hasattr(widget, "optgroups") and hasattr(widget, "url_name"):  # an autocomplete
        _tolerant(widget, _ToleratesUnknownValues)
    return field


class GuardedRelatedFieldsMixin:
    """Related fields whose bad input is a form error, never a failed request (tests/site/
    test_fuzz.py posts NUL, quotes and huge numbers to every field of every admin form)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(field, forms.ModelChoiceField):
            _guarded_choice(field)
        return field


class NotFoundMixin(GuardedRelatedFieldsMixin):
    """An object the account cannot reach (outside its scope, or gone) answers 404.

    Django redirects to the admin's index with a message instead; a 404 tells an object out of
    scope apart from nothing, which is what the scope needs. Without permission to see this kind
    of object at all, Django's 403 comes first.
    """

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            if not self.has_view_or_change_permission(request):
                raise PermissionDenied
            raise Http404(_("No such object, or it is outside the localities in your charge."))
        return obj


class ReadableHistory(HistoricalRecordContextHelper):
    """The changes of a version as a person reads them: a choice's label ("Đã công bố", not
    "published"), a related record's name, "Có"/"Không", a date as dd/mm/yyyy, "—" for none."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if isinstance(field, models.ManyToManyField):
            chosen = super().prepare_delta_change_value(change, value)
            return "; ".join(str(item) for item in chosen) or "—"
        if value is None or value == "":
            return "—"
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        if field.is_relation:
            related = field.related_model._default_manager.filter(pk=value).first()
            return str(related) if related is not None else f"#{value}"
        if isinstance(value, (datetime.date, decimal.Decimal, int, float)):
            return formats.localize(value)
        return value


class HistoryAdmin(NotFoundMixin, ReadOnlyViewMixin, SimpleHistoryAdmin):
    """An admin whose history page lists every version with what changed, field by field.

    simple-history's version page also *saves* what is posted to it, for anyone who may merely
    view the object, without the inlines, the services or the scope of the change page: here it
    only shows the version. To restore one, copy its values on the change page (itself recorded).
    """

    def revert_disabled(self, request, obj=None):
        return True

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableHistory(self.model, historical_record)

    def history_view(self, request, object_id, extra_context=None):
        self._reachable(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        self._reachable(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _reachable(self, request, object_id):
        """The history of an object is shown to those who may see the object.

        A malformed id ("1/change") is a 404, as on Django's own pages. An object outside the
        account's scope is a 404 too (simple-history reads any history otherwise). A deleted
        object's history stays readable by province staff only: its scope is no longer known.
        """
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        try:
            pk = self.model._meta.pk.to_python(unquote(object_id))
        except (ValidationError, ValueError):
            raise Http404 from None
        if self.get_queryset(request).filter(pk=pk).exists():
            return
        deleted = not self.model._default_manager.filter(pk=pk).exists()
        if deleted and scope_of(request.user).is_whole:
            return
        raise Http404


class FoldedSearchMixin:
    """Search that ignores diacritics and case, for ModelAdmins and the autocomplete they serve.

    Search fields whose last part is ``search_key`` hold localities.text.search_key values: each
    word of the term is folded the same way before it is looked up in them, so "ia dok", "Ia Dơk"
    and "IA DƠK" all find "Xã Ia Dơk". The other search fields (codes, numbers, free text) get
    the words as typed. A row is found when one of its fields holds every word, in any order
    ("dok ia" finds "Xã Ia Dơk" too), not when the words are spread over several fields as in
    Django's own search: a name is what a clerk types, and only thus can an index answer a
    search of common words ("Xã Phù Cát": three words found in thousands of names each, together
    in a few).

    A key of a row this one points to ("giver__search_key") is not joined: the rows holding the
    words are read first, from their own (smaller) table, and the list is searched by their ids
    ("giver_id IN (…)"), which each column's index answers; past IDS_UP_TO of them (a term as
    common as "xã") a subquery names them. The row's own key, beside those, is looked up the
    same way, up to IDS_UP_TO rows. A search of a million activities by a commune's name
    thus reads the activities of that commune, not every activity with its four joined rows.
    On PostgreSQL, trigram indexes on the keys (activities 0023) answer the words looked up
    inside them. The ids found are kept until the data changes (admin_lists.kept), as the
    list's count is.
    """

    def get_search_results(self, request, queryset, search_term):
        # An autocomplete of another model's field: that model's admin may narrow the choices
        # first (autocomplete_narrowed), whatever the words.
        queryset = autocomplete_narrowed(self.admin_site, request, queryset)
        fields = [str(field) for field in self.get_search_fields(request)]
        words = []
        for word in smart_split(search_term):
            if word.startswith(('"', "'")) and word[0] == word[-1]:
                word = unescape_string_literal(word)
            if word.strip():
                words.append(word)
        if not fields or not words:
            return queryset, False
        folded = [text.search_key(word) for word in words]
        pointed = {}  # the search keys of other tables, by the path of the key pointing there
        own = False  # the row's own search key
        condition = Q()
        for field in fields:
            path, _sep, last = field.rpartition("__")
            if last != "search_key":
                condition |= _every_word(field, "icontains", words)
            elif (target := _pointed_to(self.opts, path)) is not None:
                pointed[path] = target
            elif not path:
                own = True
            else:
                condition |= _every_word(field, "contains", folded)
        # The row's own key beside other tables': its rows looked up first too, so that the
        # list's condition names ids only, which an index holding them answers (the activities'
        # date index: activities 0040) without reading the rows; past IDS_UP_TO of them the
        # words are common, and a row holding them comes soon in any order.
        models = set(pointed.values()) | ({self.model} if own and pointed else set())
        holding = _rows_holding(models, folded)
        if own:
            ids = holding.get(self.model)
            if isinstance(ids, list):
                condition |= _among(self.opts.pk.attname, ids)
            else:
                condition |= _every_word("search_key", "contains", folded)
        for path, target in pointed.items():
            condition |= _among(self.opts.get_field(path).attname, holding[target])
        may_have_duplicates = any(lookup_spawns_duplicates(self.opts, f) for f in fields)
        return queryset.filter(condition), may_have_duplicates


def _every_word(field, lookup, words):
    return Q(*(Q(**{f"{field}__{lookup}": word}) for word in words))


# Past this many rows holding the words, a search reads them through a subquery
# (FoldedSearchMixin).
IDS_UP_TO = 500


def _pointed_to(opts, path):
    """The model a search field's path names when it is one foreign key of `opts` to a model
    with a search key ("giver"), else None (a longer path or a reverse relation is joined)."""
    if not path or "__" in path:
        return None
    try:
        field = opts.get_field(path)
    except FieldDoesNotExist:
        return None
    if not (field.many_to_one or field.one_to_one) or field.auto_created:
        return None
    model = field.related_model
    if not any(f.name == "search_key" for f in model._meta.concrete_fields):
        return None
    return model


class _AmongIds(Lookup):
    """`column IN (ids)` as one parameter on PostgreSQL ("column = ANY(%s)", an array), where
    Django's IN prepares and writes every one of hundreds of ids each time the query is
    compiled (for the count's key, the count, the page); IN elsewhere."""

    lookup_name = "among_ids"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        ids = list(self.rhs)
        if not ids:
            raise EmptyResultSet
        column, params = compiler.compile(self.lhs)
        if connection.vendor == "postgresql":
            # Typed as the column: an array of smaller integers (as psycopg would send ids
            # under 32768) compares without the hash table PostgreSQL makes for a long list.
            kind = self.lhs.output_field.cast_db_type(connection)
            return f"{column} = ANY(%s::{kind}[])", [*params, ids]
        return f"{column} IN ({', '.join(['%s'] * len(ids))})", [*params, *ids]


def _among(column, ids):
    """The rows whose `column` (a key's attname, "agreement_id") is one of `ids` (a list), or
    one of the rows a subquery names."""
    if isinstance(ids, list):
        return Q(_AmongIds(F(column), ids))
    return Q(**{f"{column}__in": ids})


def _rows_holding(models, words):
    """For each of `models`, the ids of its rows whose search key holds every one of the
    (folded) words: a list of at most IDS_UP_TO (one query a model), else the subquery that
    names them all. The lists are kept together (one read of the cache for a search)."""
    models = sorted(models, key=lambda model: model._meta.label_lower)
    if not models:
        return {}

    def rows(model):
        return model._base_manager.filter(_every_word("search_key", "contains", words)).order_by()

    def first_ids():
        return [list(rows(model).values_list("pk", flat=True)[: IDS_UP_TO + 1]) for model in models]

    lists = kept("ids", (*models, *words, IDS_UP_TO), first_ids)
    return {
        model: ids if len(ids) <= IDS_UP_TO else rows(model).values("pk")
        for model, ids in zip(models, lists, strict=True)
    }


def autocomplete_narrowed(admin_site, request, queryset):
    """`queryset` as the admin of the model whose field asks narrows it, for an autocomplete
    request (its `autocomplete_choices(request, field_name, queryset)`: an activity's giver
    among its agreement's parties); `queryset` itself for any other request."""
    source = autocomplete_source(admin_site, request)
    if source is None:
        return queryset
    model_admin, field_name = source
    return model_admin.autocomplete_choices(request, field_name, queryset)


def autocomplete_source(admin_site, request):
    """(the admin of the model whose field asks, the field's name) for an autocomplete request
    whose model's admin narrows its choices (autocomplete_choices); else None."""
    if request.resolver_match is None or request.resolver_match.url_name != "autocomplete":
        return None
    try:
        model = apps.get_model(request.GET.get("app_label", ""), request.GET.get("model_name", ""))
    except (LookupError, ValueError):
        return None
    model_admin = admin_site._registry.get(model)
    if not hasattr(model_admin, "autocomplete_choices"):
        return None
    return model_admin, request.GET.get("field_name", "")


class LifetimeFilter(admin.SimpleListFilter):
    title = _("lifetime")
    parameter_name = "lifetime"

    def lookups(self, request, model_admin):
        return [
            ("active", _("Active")),
            ("dissolved", _("Dissolved or merged")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.filter(dissolved_on__isnull=True)
        if self.value() == "dissolved":
            return queryset.filter(dissolved_on__isnull=False)
        return queryset


class LocalityAdminForm(forms.ModelForm):
    class Meta:
        model = Locality
        fields = [
            "name",
            "kind",
            "parent",
            "code",
            "is_ethnic_minority_area",
            "established_on",
            "dissolved_on",
            "latitude",
            "longitude",
            "slug",
            "note",
        ]
        help_texts = {
            "slug": _("Used in the locality's web address. Left empty, it is made from the name.")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False

    # The scope of the account filling the form in (LocalityAdmin.get_form); whole when unset.
    scope = None

    # Kinds a scoped account may add outside any unit: a partner that belongs to none.
    FREE_KINDS = (LocalityKind.MILITARY_UNIT, LocalityKind.AGENCY)

    def clean(self):
        # Dates, coordinates and the parent are checked by Locality.clean() and its validators.
        cleaned = super().clean()
        # The parent is checked when it is chosen: a commune's account saves its commune,
        # whose parent (the province) is outside its charge.
        parent_chosen = self.instance.pk is None or "parent" in self.changed_data
        if self.scope is not None and not self.scope.is_whole and parent_chosen:
            parent = cleaned.get("parent")
            if parent is not None and not self.scope.covers(parent):
                self.add_error(
                    "parent",
                    _("Choose a unit among the localities in your charge, or one below them."),
                )
            elif parent is None and cleaned.get("kind") not in self.FREE_KINDS:
                self.add_error(
                    "parent",
                    _(
                        "Choose the unit this one belongs to, among the localities in your "
                        "charge. Only a military unit or an agency may belong to none."
                    ),
                )
        if "slug" in self.fields and not cleaned.get("slug") and cleaned.get("name"):
            cleaned["slug"] = free_slug(
                cleaned["name"], cleaned.get("parent"), exclude_pk=self.instance.pk
            )
        return cleaned


class SuccessionInline(admin.TabularInline):
    """The units that took over from this one, when it was dissolved or merged."""

    model = Succession
    fk_name = "predecessor"
    fields = ["successor"]
    autocomplete_fields = ["successor"]
    extra = 0
    verbose_name = _("successor")
    verbose_name_plural = _("successors")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("successor")


@admin.register(Locality)
class LocalityAdmin(
    LargeListMixin, ImportTemplateMixin, ImportExportMixin, FoldedSearchMixin, HistoryAdmin
):
    # Excel: villages in and out (the register's units come from import_units), the template
    # at "import-template/".
    resource_classes = [VillageResource]
    excel_template = import_template.TEMPLATE
    import_template_name = "admin/localities/locality/import.html"
    show_change_form_export = False  # a commune's page would export an empty file

    def get_resource_kwargs(self, request, *args, **kwargs):
        # Villages are added to the communes and wards in the account's scope only.
        kwargs = super().get_resource_kwargs(request, *args, **kwargs)
        return {**kwargs, "scope": scope_of(request.user)}

    form = LocalityAdminForm
    readonly_fields = ["point_on_map"]

    class Media:
        js = ["ketnghia/point-picker.js"]  # a click on the map fills the latitude and longitude

    list_display = ["name", "kind", "parent", "code", "is_ethnic_minority_area", "dissolved_on"]
    list_filter = ["kind", "is_ethnic_minority_area", LifetimeFilter]
    list_select_related = ["parent"]
    list_only = ["name", "kind", "code", "is_ethnic_minority_area", "dissolved_on", "parent__name"]
    # search_key holds the name without diacritics (see FoldedSearchMixin); this search also
    # serves the autocomplete of every field that points to a locality.
    search_fields = ["search_key", "code"]
    autocomplete_fields = ["parent"]
    # No prepopulated slug: left empty, the server makes one that is free (see the form).
    inlines = [SuccessionInline]
    list_per_page = 50

    def get_search_results(self, request, queryset, search_term):
        """Whole-name matches first: "an phu" lists Phường An Phú before Phường An Phước.

        For the autocomplete of another model's field, that model's admin may narrow the
        choices first (`autocomplete_choices(request, field_name, queryset)`: an activity's
        giver and recipient among its agreement's parties; FoldedSearchMixin asks it)."""
        queryset, may_have_duplicates = super().get_search_results(
            request, queryset.select_related("parent"), search_term
        )
        term = text.search_key(search_term)
        if term:
            queryset = queryset.annotate(
                match_rank=Case(
                    When(Q(search_key=term) | Q(search_key__endswith=f" {term}"), then=0),
                    When(search_key__contains=f" {term} ", then=1),
                    default=2,
                )
            ).order_by("match_rank", "search_key", "parent__search_key", "pk")
        return queryset, may_have_duplicates

    # The register is read by everyone (it is public); a scoped account changes only the units
    # in its charge and adds units below them, or units and agencies that belong to none.
    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or scope_of(request.user).covers(obj)

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or scope_of(request.user).covers(obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.scope = scope_of(request.user)
        return form

    @admin.display(description=_("on the map"))
    def point_on_map(self, obj):
        """A map to place the unit by a click (static/ketnghia/point-picker.js fills the two
        fields above): around its point, or its parent's, or the whole country."""
        picker = maps.point_picker(obj)
        hint = _(
            "Click on the map to set the point, or type the latitude and longitude above "
            "(decimal degrees, e.g. 13.9826 and 108.0121)."
        )
        return format_html(
            '<p class="help">{}</p><div class="point-picker">{}</div>', hint, picker.svg
        )

    def autocomplete_label(self, locality):
        """'Xã Tân Thành – Tỉnh Tây Ninh', '… (đã giải thể)': to tell namesakes apart."""
        label = locality.name
        if locality.parent_id:
            label = f"{label} – {locality.parent.name}"
        if locality.dissolved_on:
            label = _("%(locality)s (dissolved)") % {"locality": label}
        return label

    fieldsets = [
        (None, {"fields": ["name", "kind", "parent", "code", "is_ethnic_minority_area"]}),
        (_("Lifetime"), {"fields": ["established_on", "dissolved_on"]}),
        (_("Map"), {"fields": [("latitude", "longitude"), "point_on_map"]}),
        (_("Other"), {"fields": ["slug", "note"]}),
    ]


@admin.register(Succession)
class SuccessionAdmin(FoldedSearchMixin, HistoryAdmin):
    """Which dissolved unit went into which: the 2025 merger at a glance."""

    list_display = ["predecessor", "successor"]
    list_select_related = ["predecessor", "successor"]
    autocomplete_fields = ["predecessor", "successor"]
    search_fields = ["predecessor__search_key", "successor__search_key"]


@admin.register(StaffLocality)
class StaffLocalityAdmin(FoldedSearchMixin, HistoryAdmin):
    """Who is in charge of which locality. Province administrators assign them; others see
    their own."""

    list_display = ["user", "locality"]
    list_select_related = ["user", "locality"]
    autocomplete_fields = ["user", "locality"]
    search_fields = ["locality__search_key", "user__username"]
    list_per_page = 50

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if scope_of(request.user).is_whole:
            return queryset
        return queryset.filter(user=request.user)


class StaffLocalityInline(admin.TabularInline):
    model = StaffLocality
    fields = ["locality"]
    autocomplete_fields = ["locality"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("locality")


# Django names the permissions it makes for each model in English ("Can add agreement"), once,
# when it creates them: the role and account pages say them in the reader's language.
PERMISSION_ACTIONS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


def permission_label(permission):
    """'Giao ước kết nghĩa | giao ước | Có thể thêm giao ước', in the active language."""
    model = permission.content_type.model_class()
    action = permission.codename.split("_", 1)[0]
    if (
        model is not None
        and action in PERMISSION_ACTIONS
        and permission.codename == f"{action}_{model._meta.model_name}"
    ):
        name = PERMISSION_ACTIONS[action] % {"model": model._meta.verbose_name}
    else:
        name = gettext(permission.name)  # the project's own, named in its models
    return f"{permission.content_type} | {name}"


class ReadablePermissionsMixin:
    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name in ("permissions", "user_permissions"):
            field.queryset = field.queryset.select_related("content_type")
            field.label_from_instance = permission_label
        return field


class UserAdmin(ReadablePermissionsMixin, GuardedRelatedFieldsMixin, auth_admin.UserAdmin):
    """Django's account pages, with the localities each account is in charge of."""

    inlines = [StaffLocalityInline]


class GroupAdmin(ReadablePermissionsMixin, GuardedRelatedFieldsMixin, auth_admin.GroupAdmin):
    """Django's role pages."""


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), UserAdmin)
admin.site.unregister(Group)
admin.site.register(Group, GroupAdmin)
