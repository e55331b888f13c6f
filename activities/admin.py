"""Data entry for activities: what each agreement gave or did, with its figures."""

from django.contrib import admin
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin

from activities import import_template
from activities.admin_forms import ActivityAdminForm, FunderAdminForm
from activities.figures import format_number, format_quantity, format_vnd
from activities.models import Activity, ActivityType, Funder
from activities.resources import ActivityResource
from agreements.admin import ReviewedChangesMixin, ScopedAdminMixin, agreements_in_scope
from agreements.dates import format_period
from agreements.parties import within_parties_condition
from agreements.services import may_publish
from localities.admin import FoldedSearchMixin, HistoryAdmin
from localities.admin_lists import AutocompleteFilter, LargeListMixin, years_of
from localities.scopes import scope_of
from localities.spreadsheets import ImportTemplateMixin


class YearFilter(admin.SimpleListFilter):
    """The year an activity took place (or its period began)."""

    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = years_of(model_admin.get_queryset(request), "starts_on")
        return [(str(year), str(year)) for year in years]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(starts_on__year=int(value))
        return queryset


@admin.register(Activity)
class ActivityAdmin(
    LargeListMixin,
    ReviewedChangesMixin,
    ImportTemplateMixin,
    ImportExportMixin,
    ScopedAdminMixin,
    FoldedSearchMixin,
    HistoryAdmin,
):
    resource_classes = [ActivityResource]
    excel_template = import_template.TEMPLATE
    import_template_name = "admin/activities/activity/import.html"

    def get_resource_kwargs(self, request, *args, **kwargs):
        # Imports and exports reach the agreements in the account's scope, as the list does.
        kwargs = super().get_resource_kwargs(request, *args, **kwargs)
        return {
            **kwargs,
            "agreements": agreements_in_scope(request),
            "may_publish": may_publish(request.user),
        }

    form = ActivityAdminForm

    class Media:
        js = [
            "ketnghia/activity-unit.js",  # the type's unit beside the quantity
            "admin/js/jquery.init.js",
            "ketnghia/agreement-parties.js",  # the giver and recipient among the parties
        ]

    def autocomplete_choices(self, request, field_name, queryset):
        """The giver's and the recipient's choices (localities.admin asks): the chosen
        agreement's parties and the units below them, when the search names the agreement
        (static/ketnghia/agreement-parties.js); the form checks the choice again on saving."""
        agreement = request.GET.get("agreement", "")
        if field_name in ("giver", "recipient") and agreement.isdigit():
            return queryset.filter(within_parties_condition(int(agreement)))
        return queryset

    list_display = [
        "when",
        "activity_type",
        "figure",
        "giver",
        "recipient",
        "status",
        "agreement",
    ]
    # At national scale a list of every agreement, giver or recipient would weigh megabytes:
    # those are searched (localities.admin_lists).
    list_filter = [
        ("agreement", AutocompleteFilter),
        "activity_type",
        YearFilter,
        ("giver", AutocompleteFilter),
        ("recipient", AutocompleteFilter),
        ("funder", AutocompleteFilter),
        "status",
    ]
    list_select_related = ["activity_type", "giver", "recipient", "agreement"]
    list_only = [
        "description",  # the name of each row's checkbox (Activity.__str__)
        "starts_on",
        "ends_on",
        "date_precision",
        "status",
        "quantity",
        "quantity_qualifier",
        "value_vnd",
        "value_qualifier",
        "activity_type__name",
        "activity_type__name_en",
        "activity_type__unit",
        "giver__name",
        "recipient__name",
        "agreement__title",
    ]
    # The description and the recipients in detail are searched in the activity's own key.
    search_help_text = _(
        "The name of the giver, the recipient, the funder or the agreement, or words of the "
        "description, with or without diacritics."
    )
    search_fields = [
        "search_key",
        "funder__search_key",
        "agreement__search_key",
        "giver__search_key",
        "recipient__search_key",
    ]
    autocomplete_fields = ["agreement", "event", "giver", "recipient", "funder", "source"]
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["agreement", "event", "activity_type", "status"]}),
        (_("Who"), {"fields": ["giver", "recipient", "recipient_detail", "funder"]}),
        (_("When"), {"fields": ["starts_on", "ends_on", "date_precision"]}),
        (
            _("Figures"),
            {
                "fields": [
                    ("quantity", "quantity_qualifier"),
                    ("value_vnd", "value_qualifier"),
                    "beneficiaries",
                ]
            },
        ),
        (_("Details"), {"fields": ["description", "source"]}),
    ]

    @admin.display(description=_("date or period"), ordering="starts_on")
    def when(self, obj):
        """'27/12/2025', '7/2003 – 7/2023' or '2006–2025', as precise as the source."""
        return format_period(obj.starts_on, obj.ends_on, obj.date_precision)

    @admin.display(description=_("figure"), ordering="value_vnd")
    def figure(self, obj):
        """'hơn 500.000.000 đ', 'gần 15.000 ngày công', or both: '12 căn · 600.000.000 đ'."""
        parts = []
        if obj.quantity is not None:
            parts.append(
                format_quantity(obj.quantity, obj.activity_type.unit, obj.quantity_qualifier)
            )
        if obj.value_vnd is not None:
            parts.append(format_vnd(obj.value_vnd, obj.value_qualifier))
        return " · ".join(parts)


@admin.register(ActivityType)
class ActivityTypeAdmin(HistoryAdmin):
    list_display = ["name", "unit", "name_en", "unit_en", "measure", "position"]
    list_editable = ["position"]
    list_filter = ["measure"]
    search_fields = ["name", "unit", "name_en"]
    prepopulated_fields = {"slug": ["name"]}
    fields = [
        ("name", "unit"),
        ("name_en", "unit_en", "unit_en_one"),
        "measure",
        "description",
        "slug",
        "position",
    ]


@admin.register(Funder)
class FunderAdmin(FoldedSearchMixin, HistoryAdmin):
    """A shared list, not scoped: editors add and correct funders, province administrators
    also delete them (activities 0010). The activities counted are those in the account's
    scope, the ones the count's link lists."""

    form = FunderAdminForm
    list_display = ["name", "kind", "activity_count", "locality"]
    list_filter = ["kind"]
    list_select_related = ["locality"]
    # search_key holds the name without diacritics (see FoldedSearchMixin); this search also
    # serves the activity form's autocomplete.
    search_fields = ["search_key"]
    autocomplete_fields = ["locality"]
    list_per_page = 50
    fields = ["name", "kind", "locality", "slug", "note"]

    def get_queryset(self, request):
        scope = scope_of(request.user)
        counted = None
        if not scope.is_whole:
            counted = Q(activities__agreement__in=agreements_in_scope(request).values("pk"))
        # The count groups the rows, which drops the model's default order: given again.
        return (
            super()
            .get_queryset(request)
            .annotate(n_activities=Count("activities", filter=counted))
            .order_by(*Funder._meta.ordering)
        )

    @admin.display(description=_("activities"), ordering="n_activities")
    def activity_count(self, funder):
        """The number of activities it paid for, linked to their list."""
        url = reverse("admin:activities_activity_changelist")
        return format_html(
            '<a href="{}?funder__id__exact={}">{}</a>',
            url,
            funder.pk,
            format_number(funder.n_activities),
        )
