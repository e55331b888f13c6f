"""What the admin's lists need at national scale (75,000 units, 20,000 agreements, a million
activities), for every app's admin:

- AutocompleteFilter: a filter over a foreign key searched as the field's autocomplete in the
  form is (the admin's select2, the same search and the same scope rules), not a sidebar that
  lists every unit of the country;
- EstimatedCountPaginator: past ESTIMATE_FROM rows, PostgreSQL's estimate of a whole table's
  length, and "more than ESTIMATE_FROM" of a list filtered or searched, rather than a count that
  reads every row on every page; the list says "about" or "more than" then
  (templates/admin/pagination.html);
- LargeListMixin: both, for a ModelAdmin: the filters' scripts, no count of the whole table,
  and only the fields the columns show read for each row (list_only).
"""

import json

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Count, Max, Min, Subquery
from django.db.models.functions import Coalesce
from django.forms.utils import flatatt
from django.urls import get_script_prefix
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.module_loading import import_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

# Fewer rows than this are counted exactly: a list filtered or searched past it is "more than"
# it (a search of a commune's name holds thousands of activities, each read from the table to
# be counted), twenty pages of fifty rows.
ESTIMATE_FROM = 1_000


class AutocompleteFilter(admin.FieldListFilter):
    """A foreign key's filter as a search box: the chosen row, searched through the admin's
    autocomplete of the field (static/ketnghia/autocomplete-filter.js goes to the list filtered
    by it), with "All" to leave it. The chosen row costs one query; no other row is read."""

    template = "admin/autocomplete_filter.html"

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.lookup_kwarg = f"{field_path}__{field.target_field.name}__exact"
        value = params.get(self.lookup_kwarg)
        self.lookup_val = value[-1] if isinstance(value, list) else value
        super().__init__(field, request, params, model, model_admin, field_path)
        self.admin_site = model_admin.admin_site
        self.request = request

    def expected_parameters(self):
        return [self.lookup_kwarg]

    def has_output(self):
        return True

    def choices(self, changelist):
        without = changelist.get_query_string(remove=[self.lookup_kwarg])
        yield {
            "selected": self.chosen() is not None,
            "all_url": without,
            "widget": self.render_select(without),
        }

    def chosen(self):
        """The id in the address, if it is one."""
        value = self.lookup_val
        return value if value and value.isdigit() else None

    def render_select(self, without):
        """The <select> the admin's autocomplete script makes a search box of, as
        AutocompleteSelect renders it, written here rather than through the form renderer's
        templates (a fifth of the list's time at four filters): the empty choice, and the
        chosen row named as the autocomplete would name it to this account (an agreement
        outside an account's scope is not named to it, even when its id is in the address)."""
        name = f"filter_{self.field_path}"
        own = {
            "name": name,
            "id": name,
            "data-filter-url": without,
            "data-filter-param": self.lookup_kwarg,
            "aria-label": self.title,
        }
        written, flags = self._select2_attrs()
        # As flatatt writes them: the attributes with a value sorted by name, then the flags.
        written = sorted([*written, *((key, _attribute(key, value)) for key, value in own.items())])
        attrs = mark_safe("".join(text for _key, text in written) + flags)
        options = [mark_safe('<option value="">—</option>')]
        value = self.chosen()
        if value is not None:
            remote = self.field.remote_field.model
            remote_admin = self.admin_site._registry.get(remote)
            if remote_admin is not None:
                row = (
                    remote_admin.get_queryset(self.request)
                    .filter(**{self.field.target_field.name: value})
                    .first()
                )
                if row is not None:
                    options.append(
                        format_html('<option value="{}" selected>{}</option>', value, row)
                    )
        return format_html("<select{}>{}</select>", attrs, mark_safe("".join(options)))

    def _select2_attrs(self):
        """The attributes AutocompleteSelect.build_attrs adds to the filter's own, as flatatt
        writes them ((name, ' name="value"') for those with a value; the flags): the same for
        every list of this site in a language, written once (a reverse() and a dozen escaped
        attributes for each of a list's filters otherwise)."""
        key = (
            self.field.model._meta.label_lower,
            self.field.name,
            self.admin_site.name,
            get_language(),
            get_script_prefix(),
        )
        written = _SELECT2_ATTRS.get(key)
        if written is None:
            widget = AutocompleteSelect(self.field, self.admin_site)
            attrs = widget.build_attrs(widget.attrs)
            valued = [(name, value) for name, value in attrs.items() if not _flag(value)]
            flags = {name: value for name, value in attrs.items() if _flag(value)}
            written = _SELECT2_ATTRS[key] = (
                [(name, _attribute(name, value)) for name, value in valued],
                str(flatatt(flags)),
            )
        return written


# The select2 attributes of a filter (AutocompleteFilter._select2_attrs), by field, site,
# language and script prefix: a handful of entries.
_SELECT2_ATTRS = {}


def _flag(value):
    return isinstance(value, bool) or value is None


def _attribute(name, value):
    return str(format_html(' {}="{}"', name, value))


def kept(name, query, compute):
    """compute(), what `name` says of the rows of `query`, or the value that the project's
    settings.ADMIN_LIST_KEEPER (ketnghia.pagecache.kept: until the data changes) kept of it
    from an earlier request; without one, computed every time."""
    keeper = getattr(settings, "ADMIN_LIST_KEEPER", None)
    if not keeper:
        return compute()
    return import_string(keeper)(name, query, compute)


# Past this many years between the earliest and the latest date (a year mistyped, "0205"), a
# year filter offers the years that occur instead of every year between.
YEARS_SPANNED_AT_MOST = 60


def years_of(queryset, field):
    """The years from the latest value of a date field back to the earliest, as a year filter
    offers them: one query that the field's index answers (its first and last entries), kept
    until the data changes (ketnghia.pagecache.kept), not a pass over every row for the years
    that occur (a year without any row may be offered), unless a mistyped date spans
    centuries."""
    queryset = queryset.order_by()
    span = kept(
        "span",
        queryset.values(field),
        lambda: queryset.aggregate(first=Min(field), last=Max(field)),
    )
    first, last = span["first"], span["last"]
    if first is None:
        return []
    if last.year - first.year > YEARS_SPANNED_AT_MOST:
        return [day.year for day in queryset.order_by().dates(field, "year", order="DESC")]
    return list(range(last.year, first.year - 1, -1))


class KeptChoicesFilter(admin.RelatedFieldListFilter):
    """Django's filter over a foreign key to a short list (the activity types, the commitment
    areas), its choices kept until the data changes (kept) rather than read on every page;
    named as the related admin orders and names them, in the page's language."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        return kept(
            "choices",
            (field.remote_field.model, field.model._meta.label_lower, field.name, *ordering),
            lambda: list(field.get_choices(include_blank=False, ordering=ordering)),
        )


def count_of(rows, key):
    """The number of `rows` (a queryset correlated with the list's row: OuterRef("pk")) beside
    each row of a list: a subquery that the key's index answers for the rows of the page, not
    a GROUP BY of the list joined to every one of them (a million activities for seven
    funders)."""
    counted = rows.order_by().values(key).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted), 0)


def year_filter(field, title):
    """A list filter by the year of a date (or date-time) `field`, the years offered by
    years_of (the field's index answers, kept until the data changes): Django's
    date_hierarchy reads every row for the years that occur (a pass over 75,000 events)."""

    class YearFilter(admin.SimpleListFilter):
        parameter_name = "year"

        def lookups(self, request, model_admin):
            years = years_of(model_admin.get_queryset(request), field)
            return [(str(year), str(year)) for year in years]

        def queryset(self, request, queryset):
            value = self.value()
            if value and value.isdigit():
                return queryset.filter(**{f"{field}__year": int(value)})
            return queryset

    YearFilter.title = title
    return YearFilter


class EstimatedCountPaginator(Paginator):
    """A paginator that never reads a long list whole to count it. On PostgreSQL:

    - a whole table (no filter, no search, no scope) is as long as the planner estimates from
      the table's statistics (`estimated`), which are close for a whole table: one EXPLAIN,
      and only a table the planner thinks no longer than ESTIMATE_FROM rows is counted;
    - a list filtered or searched is counted up to ESTIMATE_FROM rows (a bounded read, and the
      only query of a shorter list); past it, it holds "more than" ESTIMATE_FROM rows
      (`capped`), its pages those of the first ESTIMATE_FROM: the planner's estimate of a
      search may be off by half, and a clerk narrows a search rather than reads its twentieth
      page.

    On other databases, every count is exact. A count, and the planner's estimate, is kept
    until the data changes (kept): a clerk paging through a search counts it once."""

    estimated = False
    capped = False

    @cached_property
    def count(self):
        queryset = self.object_list
        connection = connections[queryset.db]
        if connection.vendor != "postgresql":
            return kept("count", queryset.order_by().values("pk"), queryset.count)
        planned = None
        if not queryset.query.where:
            planned = kept(
                "planned",
                queryset.order_by().values("pk"),
                lambda: self._planned(queryset, connection),
            )
            if planned > ESTIMATE_FROM:
                self.estimated = True
                return planned
        bounded = queryset.order_by().values("pk")[: ESTIMATE_FROM + 1]
        counted = kept("count", bounded, bounded.count)
        if counted <= ESTIMATE_FROM:
            return counted
        if planned is None:
            self.capped = True
            return ESTIMATE_FROM
        self.estimated = True
        # Never fewer than were counted: the planner may think a long table shorter.
        return max(planned, counted)

    @staticmethod
    def _planned(queryset, connection):
        """The rows the planner expects the query to return."""
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            (plan,) = cursor.fetchone()
        if isinstance(plan, str):
            plan = json.loads(plan)
        return int(plan[0]["Plan"]["Plan Rows"])


class LargeListMixin:
    """For the admin of a table of national size: autocomplete filters (their scripts on the
    list), estimated counts, no count of the whole table beside a filtered one, and no counts
    beside the filters' choices."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    # No "Show counts" link: a count beside every choice of every filter is a pass over the
    # whole table per choice (and the autocomplete filters have none to show).
    show_facets = admin.ShowFacets.NEVER
    # The fields the list's columns read (QuerySet.only), related ones included: a row of a
    # million-row table is read without its long texts and dates. None reads every field. A
    # column reading a field left out costs a query a row: tests count each list's queries.
    list_only = None
    # A list searched or filtered reads its page's ids first, then those rows with their
    # columns' related rows: an index holding what the search filters on answers the first
    # query alone (activities_started), and the joins are planned for fifty rows, not beside
    # a condition naming hundreds of ids.
    page_ids_first = False

    def get_changelist(self, request, **kwargs):
        changelist = super().get_changelist(request, **kwargs)
        only = self.list_only
        ids_first = self.page_ids_first
        if not only and not ids_first:
            return changelist

        class ChangeList(changelist):
            def get_results(self, request):
                # The page's rows only: the list's own queryset (actions, exports) is whole.
                if only:
                    self.queryset = self.queryset.only(*only)
                super().get_results(request)
                page = self.result_list
                if ids_first and page.query.where and not self.list_editable:
                    self.result_list = self._rows_by_ids(page)

            def _rows_by_ids(self, page):
                ids = list(page.values_list("pk", flat=True))
                rows = self.apply_select_related(self.root_queryset).filter(pk__in=ids)
                if only:
                    rows = rows.only(*only)
                by_id = {row.pk: row for row in rows.order_by()}
                return [by_id[pk] for pk in ids if pk in by_id]

        return ChangeList

    @property
    def media(self):
        media = super().media
        if any(
            isinstance(spec, tuple) and issubclass(spec[1], AutocompleteFilter)
            for spec in self.list_filter
        ):
            # select2 and the admin's autocomplete (the same as the form's fields load).
            media += AutocompleteSelect(None, self.admin_site).media
            media += forms.Media(js=["admin/js/jquery.init.js", "ketnghia/autocomplete-filter.js"])
        return media
