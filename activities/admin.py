"""Data entry for activities: what each agreement gave or did, with its figures."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ExportMixin, ImportExportMixin

from activities import import_template
from activities.admin_forms import ActivityAdminForm, FunderAdminForm
from activities.figures import format_number, format_quantity, format_vnd
from activities.forms import FIGURE_INPUTS, QuantityField, VNDField
from activities.models import (
    NEED_PLACE_KINDS,
    Activity,
    ActivityType,
    Award,
    AwardRecipient,
    FollowUp,
    Funder,
    Meeting,
    MeetingAttendance,
    Need,
    NeedStatus,
    Offer,
    OfferStatus,
    OutcomeIndicator,
    OutcomeValue,
    PeriodApproval,
    Plan,
    PlanItem,
    PlanStatus,
)
from activities.needs import answer as answer_offer
from activities.needs import (
    conversion_problem,
    may_answer,
    may_change_need,
    may_convert,
    may_offer,
    shared_agreements,
)
from activities.needs import to_draft_agreement as offer_to_agreement
from activities.needs import to_pledged_activity as offer_to_activity
from activities.periods import may_lock, set_locked
from activities.plans import approve as approve_plan
from activities.plans import copy_to_year as copy_plan
from activities.plans import may_approve
from activities.plans import reopen as reopen_plan
from activities.reports import plan_progress
from activities.resources import ActivityResource, AwardResource, OutcomeValueResource
from agreements.admin import (
    LabelledAutocompleteSelect,
    ReviewedChangesMixin,
    ScopedAdminMixin,
    SharedChoicesFormSet,
    agreements_in_scope,
)
from agreements.dates import format_period
from agreements.models import Agreement
from agreements.parties import within_parties, within_parties_condition
from agreements.services import may_publish
from agreements.uploads import PhotoField
from localities.admin import FoldedSearchMixin, HistoryAdmin, autocomplete_narrowed
from localities.admin_lists import (
    AutocompleteFilter,
    KeptChoicesFilter,
    LargeListMixin,
    count_of,
    year_filter,
)
from localities.models import Locality
from localities.scopes import scope_of
from localities.spreadsheets import ImportTemplateMixin

# The year an activity took place (or its period began).
YearFilter = year_filter("starts_on", _("year"))


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
        if field_name == "plan_item" and agreement.isdigit():
            return queryset.filter(plan__agreement_id=int(agreement))
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
        ("activity_type", KeptChoicesFilter),
        YearFilter,
        ("giver", AutocompleteFilter),
        ("recipient", AutocompleteFilter),
        ("funder", AutocompleteFilter),
        "status",
    ]
    list_select_related = ["activity_type", "giver", "recipient", "agreement"]
    page_ids_first = True  # a million rows: a search's page from the date index alone
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
    autocomplete_fields = [
        "agreement",
        "event",
        "plan_item",
        "giver",
        "recipient",
        "funder",
        "source",
    ]
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["agreement", "event", "plan_item", "activity_type", "status"]}),
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

    def has_delete_permission(self, request, obj=None):
        # An activity of a year approved and locked stays until a province officer unlocks it.
        if obj is not None and obj.locked_by():
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        locks = PeriodApproval.objects.filter(locked=True).exists()  # rarely any: no more reads
        if locks and any(obj.locked_by() for obj in objs):
            perms_needed.add(
                _("activities of a year approved and locked (a province officer unlocks it first)")
            )
        return deleted, counts, perms_needed, protected

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
        activities = Activity.objects.filter(funder=OuterRef("pk"))
        if not scope_of(request.user).is_whole:
            activities = activities.filter(agreement__in=agreements_in_scope(request).values("pk"))
        return super().get_queryset(request).annotate(n_activities=count_of(activities, "funder"))

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


# --- Annual plans ---------------------------------------------------------------------------


class PlanItemForm(forms.ModelForm):
    class Meta:
        model = PlanItem
        fields = [
            "area",
            "description",
            "responsible",
            "target_kind",
            "activity_type",
            "target_quantity",
            "target_vnd",
            "due_on",
            "dropped",
            "dropped_reason",
        ]
        field_classes = {"target_vnd": VNDField, "target_quantity": QuantityField}
        widgets = {
            "target_vnd": forms.TextInput(
                attrs={"inputmode": "numeric", "autocomplete": "off", "size": 14}
            ),
            "target_quantity": forms.TextInput(
                attrs={"inputmode": "decimal", "autocomplete": "off", "size": 8}
            ),
            "description": forms.TextInput(attrs={"size": 40}),
            "dropped_reason": forms.TextInput(attrs={"size": 24}),
        }


class LabelledRowsFormSet(SharedChoicesFormSet):
    """Each row's selects read their choices once for the formset (SharedChoicesFormSet), and
    each autocomplete of `labelled` its selected option's label from the rows read already
    (their query selects the related row): a fixed number of queries whatever the rows."""

    labelled = ()

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for name in self.labelled:
            widget = form.fields[name].widget
            widget = getattr(widget, "widget", widget)
            if isinstance(widget, LabelledAutocompleteSelect):
                if not hasattr(self, "_labels"):
                    rows = list(self.get_queryset())
                    self._labels = {
                        field: {
                            str(getattr(row, f"{field}_id")): str(getattr(row, field))
                            for row in rows
                            if getattr(row, f"{field}_id") is not None
                        }
                        for field in self.labelled
                    }
                widget.labels = self._labels[name]


class PlanItemFormSet(LabelledRowsFormSet):
    labelled = ("responsible",)

    def clean(self):
        super().clean()
        agreement = getattr(self.instance, "agreement", None)
        if agreement is None or self.instance.agreement_id is None:
            return
        party_ids = set(agreement.parties.values_list("locality_id", flat=True))
        year = self.instance.year
        for form in self.forms:
            cleaned = getattr(form, "cleaned_data", {})
            if not cleaned or cleaned.get("DELETE"):
                continue
            due_on = cleaned.get("due_on")
            if due_on and year and due_on.year != year and not form.has_error("due_on"):
                form.add_error(
                    "due_on",
                    _("The due date must fall in the plan's year (%(year)s).") % {"year": year},
                )
            responsible = cleaned.get("responsible")
            if responsible is not None and not within_parties(party_ids, responsible):
                form.add_error(
                    "responsible",
                    _(
                        "%(locality)s is not a party to “%(agreement)s”, nor a village or unit "
                        "within one of its parties."
                    )
                    % {"locality": responsible, "agreement": agreement},
                )


class TableRowsMixin:
    """An inline whose rows are read with the rows they point to, whose autocompletes take
    their labels from them (LabelledRowsFormSet), and whose choices have no buttons beside
    them: a row of a table, not a place to add or change areas, types or localities."""

    def get_queryset(self, request):
        related = [f.name for f in self.model._meta.get_fields() if f.many_to_one]
        return super().get_queryset(request).select_related(*related)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.autocomplete_fields:
            kwargs["widget"] = LabelledAutocompleteSelect(db_field, self.admin_site)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and isinstance(field.widget, RelatedFieldWidgetWrapper):
            field.widget = field.widget.widget
        return field


class PlanItemInline(TableRowsMixin, admin.TabularInline):
    model = PlanItem
    form = PlanItemForm
    formset = PlanItemFormSet
    autocomplete_fields = ["responsible"]
    extra = 0

    def get_extra(self, request, obj=None, **kwargs):
        if obj is None:
            return 3
        if not hasattr(obj, "_has_items"):  # asked for each formset Django makes
            obj._has_items = obj.items.exists()
        return 0 if obj._has_items else 3


class PlanYearFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = model_admin.get_queryset(request).order_by("-year").values_list("year", flat=True)
        return [(str(year), str(year)) for year in dict.fromkeys(years)]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(year=int(value))
        return queryset


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is reopened"),
        max_length=300,
        widget=forms.TextInput(attrs={"size": 60}),
        help_text=_("Kept in the plan's history."),
    )


@admin.register(Plan)
class PlanAdmin(ScopedAdminMixin, FoldedSearchMixin, HistoryAdmin):
    """Annual plans (activities.plans): drafted by the staff of a party, approved by a province
    officer; an approved plan is changed only after an approver reopens it, with a reason. Its
    change page shows each item's progress (activities.reports.plans)."""

    list_display = ["agreement", "year", "status", "item_count", "approved_at"]
    list_filter = [PlanYearFilter, "status", ("agreement", AutocompleteFilter)]
    list_select_related = ["agreement"]
    search_fields = ["agreement__search_key"]
    search_help_text = _("The name of the agreement, with or without diacritics.")
    autocomplete_fields = ["agreement"]
    list_per_page = 50
    fields = ["agreement", "year", "note", "status_shown"]
    readonly_fields = ["status_shown"]
    inlines = [PlanItemInline]
    actions = ["approve", "copy_to_next_year"]
    change_form_template = "admin/activities/plan/change_form.html"

    class Media:
        js = ["admin/js/jquery.init.js", "ketnghia/agreement-parties.js"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_items=Count("items"))

    @admin.display(description=_("items"), ordering="n_items")
    def item_count(self, plan):
        return format_number(plan.n_items)

    @admin.display(description=_("status"))
    def status_shown(self, plan):
        if plan.pk is None:
            return PlanStatus.DRAFT.label
        if not plan.is_approved:
            return plan.get_status_display()
        who = plan.approved_by
        return _("Approved by %(who)s on %(when)s") % {
            "who": (who.get_full_name() or who.get_username()) if who else _("the system"),
            "when": date_format(timezone.localtime(plan.approved_at), "SHORT_DATETIME_FORMAT"),
        }

    def has_change_permission(self, request, obj=None):
        # An approved plan is what the public reads: only an approver reopens it to change it.
        if obj is not None and obj.is_approved and not may_approve(request.user):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_approved and not may_approve(request.user):
            return False
        return super().has_delete_permission(request, obj)

    def has_approve_permission(self, request):
        return may_approve(request.user)

    def get_urls(self):
        urls = [
            path(
                "<path:object_id>/approve/",
                self.admin_site.admin_view(self.approve_view),
                name="activities_plan_approve",
            ),
            path(
                "<path:object_id>/reopen/",
                self.admin_site.admin_view(self.reopen_view),
                name="activities_plan_reopen",
            ),
        ]
        return urls + super().get_urls()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None:
            context["progress"] = plan_progress(obj)
            context["may_approve"] = may_approve(request.user)
            context["reopen_form"] = ReopenForm()
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _plan_or_404(self, request, object_id):
        plan = self.get_object(request, unquote(object_id))
        if plan is None:
            raise Http404
        if not may_approve(request.user):
            raise PermissionDenied
        return plan

    def approve_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        plan = self._plan_or_404(request, object_id)
        try:
            approve_plan(plan, request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            self.log_change(request, plan, _("Approved"))
            self.message_user(
                request, _("The plan was approved: the public sees it now."), messages.SUCCESS
            )
        return HttpResponseRedirect(reverse("admin:activities_plan_change", args=[plan.pk]))

    def reopen_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        plan = self._plan_or_404(request, object_id)
        form = ReopenForm(request.POST)
        if form.is_valid():
            reopen_plan(plan, request.user, form.cleaned_data["reason"])
            self.log_change(request, plan, _("Reopened: %s") % form.cleaned_data["reason"])
            self.message_user(
                request,
                _("The plan is a draft again: the public no longer sees it until it is approved."),
                messages.SUCCESS,
            )
        else:
            self.message_user(request, _("Say why the plan is reopened."), messages.ERROR)
        return HttpResponseRedirect(reverse("admin:activities_plan_change", args=[plan.pk]))

    @admin.action(description=_("Approve the selected plans"), permissions=["approve"])
    def approve(self, request, queryset):
        done = 0
        for plan in queryset.filter(status=PlanStatus.DRAFT):
            try:
                approve_plan(plan, request.user)
            except ValidationError as error:
                self.message_user(request, f"{plan}: {' '.join(error.messages)}", messages.ERROR)
            else:
                self.log_change(request, plan, _("Approved"))
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("%(count)d plan was approved.", "%(count)d plans were approved.", done)
                % {"count": done},
                messages.SUCCESS,
            )

    @admin.action(
        description=_("Copy the selected plans to the following year"), permissions=["add"]
    )
    def copy_to_next_year(self, request, queryset):
        done = 0
        for plan in queryset.select_related("agreement"):
            try:
                copy = copy_plan(plan, plan.year + 1)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                self.log_addition(request, copy, _("Copied from the plan for %s") % plan.year)
                done += 1
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(count)d plan was copied to the following year, as a draft.",
                    "%(count)d plans were copied to the following year, as drafts.",
                    done,
                )
                % {"count": done},
                messages.SUCCESS,
            )


@admin.register(PlanItem)
class PlanItemAdmin(ScopedAdminMixin, FoldedSearchMixin, HistoryAdmin):
    """Every plan's items, to find them across plans; entered on their plan. Its search serves
    the activity form's "plan item" (the chosen agreement's items only)."""

    agreement_path = "plan__agreement"
    list_display = ["description", "plan", "area", "target_kind", "due_on", "dropped"]
    list_filter = ["target_kind", "dropped", "area"]
    list_select_related = ["plan__agreement", "area"]
    search_fields = ["search_key", "plan__agreement__search_key"]
    search_help_text = _(
        "Words of what is to be done, or the name of the agreement, with or without diacritics."
    )
    autocomplete_fields = ["responsible"]
    list_per_page = 50
    form = PlanItemForm

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset.select_related("plan"), search_term)

    def autocomplete_choices(self, request, field_name, queryset):
        """Who does an item: the plan's agreement's parties and the units below them
        (static/ketnghia/agreement-parties.js sends the agreement)."""
        agreement = request.GET.get("agreement", "")
        if field_name == "responsible" and agreement.isdigit():
            return queryset.filter(within_parties_condition(int(agreement)))
        return queryset

    # Added, changed and deleted on its plan's page, with the plan's rules.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Review meetings ------------------------------------------------------------------------


class PartiesFormSet(LabelledRowsFormSet):
    """Rows naming a locality (`locality_field`) among the parties of the meeting's agreement
    and the units below them."""

    locality_field = "locality"
    labelled = ("locality",)

    def clean(self):
        super().clean()
        agreement = getattr(self.instance, "agreement", None)
        if agreement is None or self.instance.agreement_id is None:
            return
        party_ids = set(agreement.parties.values_list("locality_id", flat=True))
        for form in self.forms:
            cleaned = getattr(form, "cleaned_data", {})
            locality = cleaned.get(self.locality_field)
            if not cleaned or cleaned.get("DELETE") or locality is None:
                continue
            if not within_parties(party_ids, locality):
                form.add_error(
                    self.locality_field,
                    _(
                        "%(locality)s is not a party to “%(agreement)s”, nor a village or unit "
                        "within one of its parties."
                    )
                    % {"locality": locality, "agreement": agreement},
                )


class FollowUpFormSet(PartiesFormSet):
    locality_field = "owner"
    labelled = ("owner",)


class MeetingAttendanceInline(TableRowsMixin, admin.TabularInline):
    model = MeetingAttendance
    formset = PartiesFormSet
    fields = ["locality", "people"]
    autocomplete_fields = ["locality"]
    extra = 2


class FollowUpInline(TableRowsMixin, admin.TabularInline):
    model = FollowUp
    formset = FollowUpFormSet
    fields = ["decision", "owner", "due_on", "done_on"]
    formfield_overrides = {models.CharField: {"widget": forms.TextInput(attrs={"size": 50})}}
    autocomplete_fields = ["owner"]
    extra = 1


class OpenFollowUpFilter(admin.SimpleListFilter):
    title = _("follow-ups")
    parameter_name = "follow_ups"

    def lookups(self, request, model_admin):
        return [("open", _("Some not done")), ("late", _("Some past due"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(follow_ups__done_on__isnull=True).distinct()
        if self.value() == "late":
            late = Q(follow_ups__done_on__isnull=True, follow_ups__due_on__lt=timezone.localdate())
            return queryset.filter(late).distinct()
        return queryset


@admin.register(Meeting)
class MeetingAdmin(ScopedAdminMixin, FoldedSearchMixin, HistoryAdmin):
    """Review meetings of an agreement (giao ban, sơ kết, tổng kết): who came for each party,
    the minutes, the decisions to follow up. The agreement's cadence says when the next one is
    due (activities.reports.cycle: the work list and the reminders)."""

    list_display = ["held_on", "kind", "agreement", "open_follow_ups"]
    list_filter = ["kind", OpenFollowUpFilter, ("agreement", AutocompleteFilter)]
    list_select_related = ["agreement"]
    search_fields = ["agreement__search_key"]
    search_help_text = _("The name of the agreement, with or without diacritics.")
    autocomplete_fields = ["agreement"]
    date_hierarchy = "held_on"
    list_per_page = 50
    fields = ["agreement", "kind", ("held_on", "place"), "minutes", "minutes_file"]
    inlines = [MeetingAttendanceInline, FollowUpInline]

    class Media:
        js = ["admin/js/jquery.init.js", "ketnghia/agreement-parties.js"]

    def get_queryset(self, request):
        # A subquery, not a join: the list's filter on follow-ups joins them again.
        open_ones = (
            FollowUp.objects.filter(meeting=OuterRef("pk"), done_on__isnull=True)
            .order_by()
            .values("meeting")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return super().get_queryset(request).annotate(n_open=Coalesce(Subquery(open_ones), 0))

    @admin.display(description=_("follow-ups not done"), ordering="n_open")
    def open_follow_ups(self, meeting):
        return format_number(meeting.n_open)


@admin.register(FollowUp)
class FollowUpAdmin(ScopedAdminMixin, FoldedSearchMixin, HistoryAdmin):
    """Every meeting's decisions, to see what is still to do across agreements; entered on
    their meeting's page."""

    agreement_path = "meeting__agreement"
    list_display = ["decision", "owner", "due_on", "done_on", "meeting"]
    list_filter = ["due_on", "done_on"]
    list_select_related = ["owner", "meeting"]
    search_fields = ["decision", "meeting__agreement__search_key"]
    autocomplete_fields = ["owner"]
    list_per_page = 50
    fields = ["decision", "owner", "due_on", "done_on"]

    # Added, changed and deleted on its meeting's page, with the meeting's rules.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def autocomplete_choices(self, request, field_name, queryset):
        """Who does a decision: the meeting's agreement's parties and the units below them
        (static/ketnghia/agreement-parties.js sends the agreement)."""
        agreement = request.GET.get("agreement", "")
        if field_name == "owner" and agreement.isdigit():
            return queryset.filter(within_parties_condition(int(agreement)))
        return queryset


@admin.register(MeetingAttendance)
class MeetingAttendanceAdmin(ScopedAdminMixin, FoldedSearchMixin, HistoryAdmin):
    """Who came to each meeting, to find someone across meetings; entered on the meeting's
    page."""

    agreement_path = "meeting__agreement"
    list_display = ["locality", "people", "meeting"]
    list_select_related = ["locality", "meeting"]
    search_fields = ["people", "meeting__agreement__search_key"]
    list_per_page = 50
    fields = ["meeting", "locality", "people"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Approved periods -------------------------------------------------------------------------


class PeriodApprovalForm(forms.ModelForm):
    why = forms.CharField(
        label=_("Why"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"size": 60}),
        help_text=_("Needed to unlock; kept in the history with your name."),
    )

    class Meta:
        model = PeriodApproval
        fields = ["year", "locality", "locked"]

    def clean(self):
        cleaned = super().clean()
        unlocking = self.instance.pk is not None and cleaned.get("locked") is False
        if unlocking and "locked" in self.changed_data and not cleaned.get("why", "").strip():
            self.add_error("why", _("Say why the figures are unlocked."))
        return cleaned


@admin.register(PeriodApproval)
class PeriodApprovalAdmin(HistoryAdmin):
    """A year's figures approved and locked by the province, for a unit or the whole province
    (activities.periods): while locked, its activities are neither added, changed nor deleted.
    Read by all staff; approved, unlocked (with a reason) and locked again by a province
    officer."""

    form = PeriodApprovalForm
    list_display = ["year", "scope", "locked", "approved_by", "approved_at", "reason"]
    list_filter = ["locked", "year"]
    list_select_related = ["locality", "approved_by"]
    search_fields = ["locality__search_key"]
    autocomplete_fields = ["locality"]
    list_per_page = 50

    @admin.display(description=_("for"), ordering="locality__name")
    def scope(self, approval):
        return approval.locality.name if approval.locality_id else _("the whole province")

    def get_fields(self, request, obj=None):
        return ["year", "locality", "locked", "why"]

    def get_readonly_fields(self, request, obj=None):
        return ["year", "locality"] if obj is not None else []

    def has_add_permission(self, request):
        return super().has_add_permission(request) and may_lock(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and may_lock(request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # unlocked, never deleted: its history says what was approved

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data.get("why", "")
        if not change:
            obj.approved_by = request.user
            obj._change_reason = _("Approved and locked") if obj.locked else _("Approved")
            obj.save()
        elif "locked" in form.changed_data:
            set_locked(obj, obj.locked, request.user, reason)
        else:
            obj.save()


# --- Outcome indicators ---------------------------------------------------------------------


@admin.register(OutcomeIndicator)
class OutcomeIndicatorAdmin(HistoryAdmin):
    """The indicators the province follows (a shared list, kept by province administrators)."""

    list_display = ["name", "unit", "measure", "name_en", "position"]
    list_editable = ["position"]
    search_fields = ["name", "name_en"]
    fields = [("name", "unit"), "name_en", "measure", "description", "position"]


class OutcomeValueForm(forms.ModelForm):
    class Meta:
        model = OutcomeValue
        fields = ["locality", "indicator", "year", "value", "status", "source", "as_of", "note"]
        field_classes = {"value": QuantityField}
        widgets = {
            "value": forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        }

    def clean_locality(self):
        locality = self.cleaned_data["locality"]
        if locality is not None and not self.scope.covers(locality):
            raise ValidationError(
                _("%(locality)s is not among the localities in your charge.")
                % {"locality": locality}
            )
        return locality


@admin.register(OutcomeValue)
class OutcomeValueAdmin(ImportTemplateMixin, ImportExportMixin, FoldedSearchMixin, HistoryAdmin):
    """A locality's indicators year by year, entered here or imported from the statistics
    office's workbook; each account for the localities in its charge."""

    resource_classes = [OutcomeValueResource]
    excel_template = import_template.OUTCOMES_TEMPLATE
    import_template_name = "admin/activities/outcomevalue/import.html"
    form = OutcomeValueForm
    list_display = ["locality", "indicator", "year", "shown", "source", "as_of"]
    list_filter = ["indicator", "year"]
    list_select_related = ["locality", "indicator"]
    search_fields = ["locality__search_key"]
    search_help_text = _("The name of the locality, with or without diacritics.")
    autocomplete_fields = ["locality"]
    list_per_page = 50

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.filter(scope_of(request.user).localities("locality"))

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.scope = scope_of(request.user)
        return form

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {
            **super().get_resource_kwargs(request, *args, **kwargs),
            "scope": scope_of(request.user),
        }

    @admin.display(description=_("value"))
    def shown(self, outcome):
        if outcome.value is None:
            return outcome.status
        unit = outcome.indicator.unit
        return (
            format_quantity(outcome.value, unit)
            if unit != "%"
            else f"{format_number(outcome.value)}%"
        )


# --- The merit register ---------------------------------------------------------------------


class AwardRecipientFormSet(LabelledRowsFormSet):
    """The named recipients: no more collectives and people than the award counts."""

    labelled = ("locality",)

    def clean(self):
        super().clean()
        rows = [
            form.cleaned_data
            for form in self.forms
            if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
        ]
        people = sum(1 for row in rows if row.get("is_person"))
        counts = {"people": people, "collectives": len(rows) - people}
        award = self.instance
        for name, named in counts.items():
            if named > getattr(award, name, 0):
                raise ValidationError(
                    _(
                        "%(named)s named here, more than the %(counted)s the award counts: "
                        "correct the count above or the names."
                    )
                    % {"named": named, "counted": getattr(award, name, 0)}
                )


class AwardRecipientInline(TableRowsMixin, admin.TabularInline):
    model = AwardRecipient
    formset = AwardRecipientFormSet
    fields = ["locality", "name", "title", "is_person", "public"]
    autocomplete_fields = ["locality"]
    extra = 1


class AwardAdminForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        agreement = cleaned.get("agreement")
        if agreement is None:
            return cleaned
        for name in ("event", "source"):
            part = cleaned.get(name)
            if part is not None and part.agreement_id != agreement.pk:
                self.add_error(name, self._elsewhere(agreement))
        activities = cleaned.get("activities")
        if activities and any(a.agreement_id != agreement.pk for a in activities):
            self.add_error("activities", self._elsewhere(agreement))
        return cleaned

    @staticmethod
    def _elsewhere(agreement):
        return _("This belongs to another agreement; choose one of “%(agreement)s”.") % {
            "agreement": agreement
        }


@admin.register(Award)
class AwardAdmin(ExportMixin, ScopedAdminMixin, FoldedSearchMixin, HistoryAdmin):
    """The merit register (khen thưởng): the awards given for the work of the agreements in
    the account's scope, with their decision, the collectives and people counted and named,
    and the activities that justify them; exported as a workbook."""

    resource_classes = [AwardResource]
    form = AwardAdminForm
    list_display = ["when", "form", "level", "recipients_counted", "issuer", "agreement"]
    list_filter = ["form", "level", ("agreement", AutocompleteFilter)]
    list_select_related = ["agreement"]
    search_fields = ["agreement__search_key", "issuer", "decision_number"]
    search_help_text = _(
        "The name of the agreement (with or without diacritics), who gave it or its decision "
        "number."
    )
    autocomplete_fields = ["agreement", "event", "source", "activities"]
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["agreement", "form", "level", "issuer"]}),
        (
            _("Decision"),
            {"fields": [("decision_number", "decided_on", "date_precision"), "event"]},
        ),
        (
            _("For"),
            {"fields": [("period_from", "period_to"), "reason", ("collectives", "people")]},
        ),
        (_("Evidence"), {"fields": ["activities", "source"]}),
    ]
    inlines = [AwardRecipientInline]

    class Media:
        js = ["admin/js/jquery.init.js", "ketnghia/agreement-parties.js"]

    def get_resource_kwargs(self, request, *args, **kwargs):
        # The export reaches the agreements in the account's scope, as the list does.
        return {
            **super().get_resource_kwargs(request, *args, **kwargs),
            "agreements": agreements_in_scope(request),
        }

    def autocomplete_choices(self, request, field_name, queryset):
        """The activities, the event and the source among the chosen agreement's
        (static/ketnghia/agreement-parties.js sends it); the form checks them again."""
        agreement = request.GET.get("agreement", "")
        if field_name in ("activities", "event", "source") and agreement.isdigit():
            return queryset.filter(agreement_id=int(agreement))
        return queryset

    @admin.display(description=_("date"), ordering="decided_on")
    def when(self, award):
        if award.decided_on is None:
            return "–"
        return format_period(award.decided_on, None, award.date_precision)

    @admin.display(description=_("awarded"))
    def recipients_counted(self, award):
        parts = []
        if award.collectives:
            parts.append(
                ngettext("%(n)s collective", "%(n)s collectives", award.collectives)
                % {"n": format_number(award.collectives)}
            )
        if award.people:
            parts.append(
                ngettext("%(n)s person", "%(n)s people", award.people)
                % {"n": format_number(award.people)}
            )
        return ", ".join(parts)


@admin.register(AwardRecipient)
class AwardRecipientAdmin(ScopedAdminMixin, FoldedSearchMixin, HistoryAdmin):
    """Everyone named in the register, to find a unit's or a person's awards across
    agreements; entered on the award's page."""

    agreement_path = "award__agreement"
    list_display = ["__str__", "title", "is_person", "public", "award"]
    list_filter = ["is_person", "public"]
    list_select_related = ["locality", "award"]
    search_fields = ["name", "locality__search_key", "award__agreement__search_key"]
    list_per_page = 50
    fields = ["award", "locality", "name", "title", "is_person", "public"]

    # Added, changed and deleted on its award's page.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- The needs board (activities.needs) -----------------------------------------------------


class NeedAdminForm(forms.ModelForm):
    class Meta:
        model = Need
        fields = [
            "locality",
            "area",
            "title",
            "description",
            "activity_type",
            "quantity",
            "value_vnd",
            "priority",
            "photo",
            "status",
        ]
        field_classes = {"quantity": QuantityField, "value_vnd": VNDField, "photo": PhotoField}
        widgets = {"title": forms.TextInput(attrs={"size": 60}), **FIGURE_INPUTS}
        help_texts = {"value_vnd": _("In đồng, e.g. 30.000.000.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        status = self.fields.get("status")
        if status is not None and not may_convert(self.user):
            # "Taken up" is what an offer turned by the province makes of a need: the place's
            # staff keep it open or withdraw it.
            status.choices = [
                (value, label)
                for value, label in status.choices
                if value != NeedStatus.MET or self.instance.status == NeedStatus.MET
            ]

    def clean_locality(self):
        locality = self.cleaned_data["locality"]
        if locality is not None and not scope_of(self.user).covers(locality):
            raise ValidationError(
                _("%(locality)s is not among the localities in your charge.")
                % {"locality": locality}
            )
        return locality

    def clean_status(self):
        status = self.cleaned_data["status"]
        changed = self.instance.pk is None or self.instance.status != status
        if status == NeedStatus.MET and changed and not may_convert(self.user):
            raise ValidationError(
                _("A need is taken up when the province turns a unit's offer for it.")
            )
        return status


# What the place's staff and the province write on an offer, never its unit's form.
ANSWER_FIELDS = ("status", "answered_by_id", "answered_at", "agreement_id", "activity_id")


def with_became(offers, request):
    """`offers` with what each became, and whether its agreement is in the account's scope
    (`became_in_scope`), in the same query."""
    offers = offers.select_related("agreement", "activity")
    if scope_of(request.user).is_whole:  # every agreement: none looked for
        return offers.annotate(
            agreement_in_scope=Q(agreement_id__isnull=False),
            activity_in_scope=Q(activity_id__isnull=False),
        )
    agreements = agreements_in_scope(request)
    return offers.annotate(
        agreement_in_scope=Exists(agreements.filter(pk=OuterRef("agreement_id"))),
        activity_in_scope=Exists(agreements.filter(pk=OuterRef("activity__agreement_id"))),
    )


def offers_in_scope(user):
    """The offers an account sees: those of the units in its charge and those made to the
    places in its charge; every one for the province's staff."""
    scope = scope_of(user)
    offers = Offer.objects.all()
    if scope.is_whole:
        return offers
    return offers.filter(scope.localities("party") | scope.localities("need__locality"))


class OfferInline(admin.TabularInline):
    """A need's offers, read here; each is answered and turned on its own page."""

    model = Offer
    fields = ["party", "description", "quantity_shown", "value_shown", "status", "became"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("offers of support")

    def get_queryset(self, request):
        # The offers of the account's scope only, as on their own list; the agreement each
        # became named only when it is in the scope too.
        offers = offers_in_scope(request.user).select_related("party")
        return with_became(offers, request).order_by("created_at", "id")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("quantity offered"))
    def quantity_shown(self, offer):
        return format_number(offer.quantity) if offer.quantity is not None else ""

    @admin.display(description=_("value offered (VND)"))
    def value_shown(self, offer):
        return format_vnd(offer.value_vnd) if offer.value_vnd is not None else ""

    @admin.display(description=_("became"))
    def became(self, offer):
        return _became(offer)


def _became(offer):
    """A link to the agreement or activity `offer` became (with_became), when its agreement is
    in the account's scope; else what it became, unnamed."""
    if offer.agreement_id and not offer.agreement_in_scope:
        return _("a draft agreement")
    if offer.activity_id and not offer.activity_in_scope:
        return _("a pledged activity")
    if offer.agreement_id:
        url = reverse("admin:agreements_agreement_change", args=[offer.agreement_id])
        return format_html('<a href="{}">{}</a>', url, offer.agreement)
    if offer.activity_id:
        url = reverse("admin:activities_activity_change", args=[offer.activity_id])
        return format_html(
            '<a href="{}">{}</a>', url, _("Pledged activity #%s") % offer.activity_id
        )
    return ""


@admin.register(Need)
class NeedAdmin(LargeListMixin, FoldedSearchMixin, HistoryAdmin):
    """Needs posted for the places in the account's charge; every staff account reads them
    all, as the public does, so that units find what to answer. The list: the latest posted
    first (the key's order: the board's, by priority, is the public page's)."""

    form = NeedAdminForm
    # In this order whether the place and the kind of support are read-only or not.
    fields = NeedAdminForm.Meta.fields
    list_display = ["title", "locality", "area", "priority", "status", "offer_count", "created_at"]
    list_filter = [
        "status",
        "priority",
        ("area", KeptChoicesFilter),
        ("locality", AutocompleteFilter),
    ]
    list_select_related = ["locality", "area"]
    search_fields = ["search_key", "locality__search_key"]
    search_help_text = _("What is needed, or the name of the place, with or without diacritics.")
    autocomplete_fields = ["locality"]
    list_per_page = 50
    ordering = ["-id"]
    inlines = [OfferInline]
    change_form_template = "admin/activities/need/change_form.html"

    def get_queryset(self, request):
        offers = Offer.objects.filter(need=OuterRef("pk"))
        return super().get_queryset(request).annotate(n_offers=count_of(offers, "need"))

    @admin.display(description=_("offers"), ordering="n_offers")
    def offer_count(self, need):
        return format_number(need.n_offers)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may_change_need(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or may_change_need(request.user, obj))

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user
        return form

    def get_readonly_fields(self, request, obj=None):
        # Once units have offered, the place and the unit of the quantity stay as they read.
        if obj is not None and obj.pk is not None and obj.offers.exists():
            return ["locality", "activity_type"]
        return []

    @staticmethod
    def places(request):
        """The places a need may be posted for: villages, communes, wards and special zones in
        the account's charge, not dissolved."""
        return Locality.objects.filter(
            scope_of(request.user).localities(),
            kind__in=NEED_PLACE_KINDS,
            dissolved_on__isnull=True,
        )

    def get_search_results(self, request, queryset, search_term):
        # An offer's need is chosen among the open ones (OfferAdmin.autocomplete_choices).
        queryset = autocomplete_narrowed(self.admin_site, request, queryset)
        return super().get_search_results(request, queryset, search_term)

    def autocomplete_choices(self, request, field_name, queryset):
        """The place's choices (localities.admin asks): those a need may be posted for."""
        if field_name == "locality":
            return queryset.filter(pk__in=self.places(request).values("pk"))
        return queryset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "locality":
            kwargs["queryset"] = self.places(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.posted_by = request.user
        super().save_model(request, obj, form, change)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["may_offer"] = request.user.has_perm("activities.add_offer")
        return super().render_change_form(request, context, add, change, form_url, obj)


class OfferAdminForm(forms.ModelForm):
    class Meta:
        model = Offer
        fields = ["need", "party", "description", "quantity", "value_vnd"]
        field_classes = {"quantity": QuantityField, "value_vnd": VNDField}
        widgets = FIGURE_INPUTS
        help_texts = {"value_vnd": _("In đồng, e.g. 30.000.000.")}

    def clean_need(self):
        need = self.cleaned_data["need"]
        unchanged = self.instance.pk is not None and self.instance.need_id == need.pk
        if not need.is_open and not unchanged:
            raise ValidationError(
                _("This need is no longer open: it was taken up or withdrawn. Choose another.")
            )
        return need

    def clean(self):
        cleaned = super().clean()
        pk = self.instance.pk
        if pk is not None and not Offer.objects.filter(pk=pk, status=OfferStatus.PROPOSED).exists():
            raise ValidationError(_("This offer was answered meanwhile: it is no longer changed."))
        return cleaned

    def clean_party(self):
        party = self.cleaned_data["party"]
        if not may_offer(self.user, party):
            raise ValidationError(
                _("%(party)s is not among the units in your charge: offer in the name of yours.")
                % {"party": party}
            )
        return party


class ConvertToActivityForm(forms.Form):
    agreement = forms.ModelChoiceField(
        label=_("Under the agreement"),
        queryset=Agreement.objects.none(),
        empty_label=None,
        error_messages={
            "invalid_choice": _(
                "Choose an agreement to which both the unit and the place are parties."
            )
        },
    )
    activity_type = forms.ModelChoiceField(
        label=_("Kind of support"), queryset=ActivityType.objects.all()
    )
    starts_on = forms.DateField(
        label=_("Date"), help_text=_("The day the unit pledged it; today by default.")
    )
    quantity = QuantityField(label=_("Quantity pledged"), required=False)
    value_vnd = VNDField(label=_("Value pledged (VND)"), required=False)

    def __init__(self, *args, offer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreement"].queryset = shared_agreements(offer)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("quantity") is None and cleaned.get("value_vnd") is None:
            raise ValidationError(_("Enter a quantity, a value in VND, or both."))
        return cleaned


@admin.register(Offer)
class OfferAdmin(LargeListMixin, FoldedSearchMixin, HistoryAdmin):
    """Offers of the units in the account's charge, and those made for the places in its
    charge; the province's staff see them all. The place's staff accept or decline; a province
    officer turns an accepted offer into a draft agreement or a pledged activity, in two clicks
    (the button, then the confirmation)."""

    form = OfferAdminForm
    list_display = ["need", "need_place", "party", "status", "became", "created_at"]
    list_filter = ["status"]
    list_select_related = ["need__locality", "party", "agreement"]
    search_fields = ["need__search_key", "party__search_key"]
    search_help_text = _("The need, or the name of the unit, with or without diacritics.")
    autocomplete_fields = ["need", "party"]
    list_per_page = 50
    ordering = ["-id"]  # the latest made first: the key's order, not the need's across all
    readonly_fields = ["status", "answered", "became"]
    change_form_template = "admin/activities/offer/change_form.html"

    def autocomplete_choices(self, request, field_name, queryset):
        """The units an account offers in the name of (localities.admin asks): those in its
        charge, not dissolved; the form checks the choice again on saving."""
        if field_name == "party":
            scope = scope_of(request.user)
            return queryset.filter(scope.localities(), dissolved_on__isnull=True)
        if field_name == "need":
            return queryset.filter(status=NeedStatus.OPEN)
        return queryset

    def get_fields(self, request, obj=None):
        fields = ["need", "party", "description", "quantity", "value_vnd"]
        return fields if obj is None else [*fields, "status", "answered", "became"]

    def get_queryset(self, request):
        offers = super().get_queryset(request)
        if not scope_of(request.user).is_whole:  # every offer: no pass over them to say so
            offers = offers.filter(pk__in=offers_in_scope(request.user))
        # Selected here: the change list adds list_select_related only to a queryset that
        # selects nothing yet.
        return with_became(offers.select_related(*self.list_select_related), request)

    @admin.display(description=_("place in need"))
    def need_place(self, offer):
        return offer.need.locality

    @admin.display(description=_("became"))
    def became(self, offer):
        return _became(offer)

    @admin.display(description=_("answered"))
    def answered(self, offer):
        if offer.answered_at is None:
            return ""
        who = offer.answered_by
        return _("%(status)s by %(who)s on %(when)s") % {
            "status": offer.get_status_display(),
            "who": (who.get_full_name() or who.get_username()) if who else _("the system"),
            "when": date_format(timezone.localtime(offer.answered_at), "SHORT_DATETIME_FORMAT"),
        }

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if obj is None:
            return allowed
        # The unit words its offer until it is answered; then it stands as answered.
        return allowed and obj.status == OfferStatus.PROPOSED and may_offer(request.user, obj.party)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user
        return form

    def save_model(self, request, obj, form, change):
        if not change:
            obj.offered_by = request.user
            return super().save_model(request, obj, form, change)
        # The unit's words only: an answer or a conversion made meanwhile stays.
        stored = Offer.objects.select_for_update().get(pk=obj.pk)
        for name in ANSWER_FIELDS:
            setattr(obj, name, getattr(stored, name))
        return super().save_model(request, obj, form, change)

    def get_urls(self):
        view = self.admin_site.admin_view
        urls = [
            path(
                "<path:object_id>/answer/", view(self.answer_view), name="activities_offer_answer"
            ),
            path(
                "<path:object_id>/to-agreement/",
                view(self.to_agreement_view),
                name="activities_offer_to_agreement",
            ),
            path(
                "<path:object_id>/to-activity/",
                view(self.to_activity_view),
                name="activities_offer_to_activity",
            ),
        ]
        return urls + super().get_urls()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None:
            context["may_answer"] = (
                not obj.is_converted and obj.need.is_open and may_answer(request.user, obj)
            )
            context["may_convert"] = not conversion_problem(obj) and may_convert(request.user)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _offer_or_404(self, request, object_id):
        offer = self.get_object(request, unquote(object_id))
        if offer is None:
            raise Http404
        return offer

    def _back(self, offer):
        return HttpResponseRedirect(reverse("admin:activities_offer_change", args=[offer.pk]))

    def answer_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        offer = self._offer_or_404(request, object_id)
        if not may_answer(request.user, offer):
            raise PermissionDenied
        accept = request.POST.get("accept") == "1"
        try:
            offer = answer_offer(offer, request.user, accept=accept)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            self.log_change(request, offer, offer.get_status_display())
            self.message_user(
                request,
                _("The offer was accepted: the province may now turn it into an agreement.")
                if accept
                else _("The offer was declined."),
                messages.SUCCESS,
            )
        return self._back(offer)

    def _conversion_page(self, request, offer, template, **context):
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "original": offer,
                "offer": offer,
                "need": offer.need,
                "title": context.pop("title"),
                **context,
            },
        )

    def _convertible_or_back(self, request, object_id):
        """The offer, when it may be turned now; else a redirect to its page, saying why."""
        offer = self._offer_or_404(request, object_id)
        if not may_convert(request.user):
            raise PermissionDenied
        if offer.is_converted:
            problem = _("This offer has already become an agreement or an activity.")
        elif offer.status != OfferStatus.ACCEPTED:
            problem = _("Accept the offer first: only an accepted offer is turned.")
        else:
            return offer, None
        self.message_user(request, problem, messages.ERROR)
        return offer, self._back(offer)

    def to_agreement_view(self, request, object_id):
        offer, refused = self._convertible_or_back(request, object_id)
        if refused:
            return refused
        if request.method == "POST":
            try:
                agreement = offer_to_agreement(offer, request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                return self._back(offer)
            self.log_change(request, offer, _("Turned into a draft agreement"))
            self.message_user(
                request,
                _(
                    "The draft agreement was made from the offer: complete its signing date and "
                    "details, then a reviewer publishes it."
                ),
                messages.SUCCESS,
            )
            return HttpResponseRedirect(
                reverse("admin:agreements_agreement_change", args=[agreement.pk])
            )
        return self._conversion_page(
            request,
            offer,
            "admin/activities/offer/to_agreement.html",
            title=_("Make a draft agreement from this offer"),
        )

    def to_activity_view(self, request, object_id):
        offer, refused = self._convertible_or_back(request, object_id)
        if refused:
            return refused
        need = offer.need
        if request.method == "POST":
            form = ConvertToActivityForm(request.POST, offer=offer)
            if form.is_valid():
                try:
                    activity = offer_to_activity(offer, request.user, **form.cleaned_data)
                except ValidationError as error:
                    if hasattr(error, "error_dict"):
                        for field, errors in error.message_dict.items():
                            form.add_error(field if field in form.fields else None, errors)
                    else:
                        form.add_error(None, error)
                else:
                    self.log_change(request, offer, _("Turned into a pledged activity"))
                    self.message_user(
                        request,
                        _("The pledged activity was recorded from the offer."),
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(
                        reverse("admin:activities_activity_change", args=[activity.pk])
                    )
        else:
            same_unit = need.activity_type_id is not None
            form = ConvertToActivityForm(
                initial={
                    "agreement": shared_agreements(offer).first(),
                    "activity_type": need.activity_type,
                    "starts_on": timezone.localdate(),
                    "quantity": offer.quantity if same_unit else None,
                    "value_vnd": offer.value_vnd,
                },
                offer=offer,
            )
        return self._conversion_page(
            request,
            offer,
            "admin/activities/offer/to_activity.html",
            title=_("Record a pledged activity from this offer"),
            form=form,
            has_agreements=shared_agreements(offer).exists(),
        )
