"""Data entry for activities: what each agreement gave or did, with its figures."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin

from activities import import_template
from activities.admin_forms import ActivityAdminForm
from activities.figures import format_quantity, format_vnd
from activities.models import Activity, ActivityType
from activities.resources import ActivityResource
from agreements.admin import ScopedAdminMixin, agreements_in_scope
from agreements.dates import format_period
from localities.admin import FoldedSearchMixin, HistoryAdmin
from localities.spreadsheets import ImportTemplateMixin


class YearFilter(admin.SimpleListFilter):
    """The year an activity took place (or its period began)."""

    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        dates = model_admin.get_queryset(request).dates("starts_on", "year", order="DESC")
        return [(str(d.year), str(d.year)) for d in dates]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(starts_on__year=int(value))
        return queryset


@admin.register(Activity)
class ActivityAdmin(
    ImportTemplateMixin, ImportExportMixin, ScopedAdminMixin, FoldedSearchMixin, HistoryAdmin
):
    resource_classes = [ActivityResource]
    excel_template = import_template.TEMPLATE
    import_template_name = "admin/activities/activity/import.html"

    def get_resource_kwargs(self, request, *args, **kwargs):
        # Imports and exports reach the agreements in the account's scope, as the list does.
        kwargs = super().get_resource_kwargs(request, *args, **kwargs)
        return {**kwargs, "agreements": agreements_in_scope(request)}

    form = ActivityAdminForm
    list_display = [
        "when",
        "activity_type",
        "figure",
        "giver",
        "recipient",
        "status",
        "agreement",
    ]
    list_filter = [
        ("agreement", admin.RelatedOnlyFieldListFilter),
        "activity_type",
        YearFilter,
        ("giver", admin.RelatedOnlyFieldListFilter),
        ("recipient", admin.RelatedOnlyFieldListFilter),
        "status",
    ]
    list_select_related = ["activity_type", "giver", "recipient", "agreement"]
    date_hierarchy = "starts_on"
    search_fields = [
        "description",
        "recipient_detail",
        "funder",
        "agreement__search_key",
        "giver__search_key",
        "recipient__search_key",
    ]
    autocomplete_fields = ["agreement", "event", "giver", "recipient", "source"]
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
    list_display = ["name", "unit", "measure", "position"]
    list_editable = ["position"]
    list_filter = ["measure"]
    search_fields = ["name", "unit"]
    prepopulated_fields = {"slug": ["name"]}
