"""Data entry for agreements: one page edits an agreement with its parties, commitments,
programmes, events, photos and sources; publishing and deleting go through agreements.services.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteMixin, AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ImportExportMixin

from agreements import import_template
from agreements.models import (
    Agreement,
    AgreementStatus,
    Commitment,
    CommitmentArea,
    Event,
    LegalDocument,
    Party,
    PartyRole,
    Photo,
    Programme,
    Publication,
    Revision,
    Source,
)
from agreements.resources import AgreementResource
from agreements.revisions import (
    Proposal,
    agreement_of,
    approve,
    comparison,
    pending,
    published_among,
    reject,
)
from agreements.services import (
    complete_agreement,
    delete_agreement,
    may_publish,
    publish_agreement,
    unpublish_agreement,
)
from agreements.uploads import PhotoField
from localities.admin import FoldedSearchMixin, HistoryAdmin, NotFoundMixin, constraint_message
from localities.admin_lists import KeptChoicesFilter, LargeListMixin, year_filter
from localities.models import Locality, LocalityKind
from localities.scopes import scope_of
from localities.spreadsheets import ImportTemplateMixin


def _unwrap(widget):
    """The widget inside the admin's RelatedFieldWidgetWrapper (the add/change buttons)."""
    return getattr(widget, "widget", widget)


# --- Scope: a staff account works on the agreements of the localities in its charge ----------


def agreements_in_scope(request):
    return Agreement.objects.within(scope_of(request.user))


class ScopedAdminMixin:
    """Lists, change pages, autocompletes, filters, bulk actions, exports and history pages of
    the agreements in the account's scope, and of their parts (localities.scopes).

    Everything reads get_queryset(); forms may point only to agreements in scope, and to their
    events and sources. An object out of scope answers 404 (NotFoundMixin).
    """

    # From this model to its agreement; "" for Agreement itself.
    agreement_path = "agreement"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        scope = scope_of(request.user)
        if scope.is_whole:
            return queryset
        lookup = f"{self.agreement_path}__in" if self.agreement_path else "pk__in"
        return queryset.filter(**{lookup: Agreement.objects.within(scope).values("pk")})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope = scope_of(request.user)
        if not scope.is_whole and "queryset" not in kwargs:
            if db_field.related_model is Agreement:
                kwargs["queryset"] = Agreement.objects.within(scope)
            elif db_field.related_model in (Event, Source):
                kwargs["queryset"] = db_field.related_model.objects.filter(
                    agreement__in=Agreement.objects.within(scope).values("pk")
                )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# --- Reviewed changes: an editor's save on a published agreement is proposed, not applied -----


class ReviewedChangesMixin:
    """A save by an account that may not publish, touching a published agreement (its own
    page, one of its records, or a record moved to or from it), becomes a proposed change
    (agreements.revisions) that a reviewer approves: the public sees the published version
    until then. Deleting such a record is a reviewer's call too.
    """

    change_form_template = "admin/reviewed_change_form.html"

    @staticmethod
    def concerned_agreements(obj):
        """The agreements a save of `obj` changes: its own, and the one it leaves if moved."""
        ids = [agreement_of(obj)]
        if obj.pk is not None and not isinstance(obj, Agreement):
            ids += (
                type(obj)._default_manager.filter(pk=obj.pk).values_list("agreement_id", flat=True)
            )
        return ids

    def save_model(self, request, obj, form, change):
        published = published_among(request.user, self.concerned_agreements(obj))
        if published is None:
            return super().save_model(request, obj, form, change)
        request.proposal = Proposal(request.user, published)
        request.proposal.form(form)

    def save_related(self, request, form, formsets, change):
        proposal = getattr(request, "proposal", None)
        if proposal is None:
            return super().save_related(request, form, formsets, change)
        for formset in formsets:
            proposal.formset(formset)
        request.revision = proposal.save()

    def construct_change_message(self, request, form, formsets, add=False):
        if getattr(request, "proposal", None) is None:
            return super().construct_change_message(request, form, formsets, add)
        return []  # the revision says what would change

    def log_addition(self, request, obj, message):
        if getattr(request, "proposal", None) is None:
            return super().log_addition(request, obj, message)
        return self._log_proposal(request)

    def log_change(self, request, obj, message):
        if getattr(request, "proposal", None) is None:
            return super().log_change(request, obj, message)
        return self._log_proposal(request)

    def _log_proposal(self, request):
        if request.revision is not None:
            return super().log_addition(request, request.revision, [{"added": {}}])
        return None

    def response_add(self, request, obj, post_url_continue=None):
        if getattr(request, "proposal", None) is None:
            return super().response_add(request, obj, post_url_continue)
        return self._proposed(request)

    def response_change(self, request, obj):
        if getattr(request, "proposal", None) is None:
            return super().response_change(request, obj)
        return self._proposed(request)

    def _proposed(self, request):
        revision = request.revision
        if revision is None:
            self.message_user(request, _("Nothing was changed."), messages.INFO)
            return HttpResponseRedirect(request.path)
        self.message_user(
            request,
            _(
                "The agreement is published: your change is saved as %(revision)s and waits "
                "for a reviewer. The public sees the published version until it is approved."
            )
            % {"revision": revision},
            messages.WARNING,
        )
        return HttpResponseRedirect(reverse("admin:agreements_revision_change", args=[revision.pk]))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        agreement_id = agreement_of(obj) if obj is not None and obj.pk is not None else None
        context["review"] = {
            # A save proposed for review: asked only of an account that may save (a reader's
            # page has no button).
            "proposes": self.has_change_permission(request, obj)
            and published_among(request.user, [agreement_id]) is not None,
            "pending": list(pending(agreement_id).select_related("author")) if agreement_id else [],
        }
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        ids = [pk for obj in objs for pk in self.concerned_agreements(obj)]
        if published_among(request.user, ids) is not None:
            perms_needed.add(
                _(
                    "records of a published agreement (a reviewer deletes them, or unpublishes "
                    "the agreement first)"
                )
            )
        return deleted, counts, perms_needed, protected


# --- Forms shared by the inlines and the small admins ----------------------------------------


class AgreementForm(forms.ModelForm):
    class Meta:
        model = Agreement
        fields = [
            "title",
            "signed_on",
            "signed_at_place",
            "ended_on",
            "summary",
            "title_en",
            "summary_en",
            "legal_basis",
            "meeting_every",
            "slug",
        ]
        help_texts = {
            "slug": _("Used in the agreement's web address. Left empty, it is made from the title.")
        }

    def clean(self):
        # The end date is checked by Agreement.clean(). The status is not on the form, so the
        # model's validation skips the rule "published means dated, with a web address": it is
        # told here, at the field, rather than failing in the database.
        cleaned = super().clean()
        if self.instance.is_published:
            if "signed_on" in cleaned and cleaned["signed_on"] is None:
                self.add_error(
                    "signed_on",
                    _("A published agreement needs a signing date: unpublish it first."),
                )
            if "slug" in cleaned and not cleaned["slug"]:
                self.add_error(
                    "slug",
                    _("A published agreement needs a web address: unpublish it first."),
                )
        return cleaned


def _published_agreement_would_lose_a_signer(party):
    """True when removing this signing party leaves its published agreement with fewer than two."""
    agreement = party.agreement
    return (
        party.role == PartyRole.PARTY
        and agreement.is_published
        and agreement.parties.filter(role=PartyRole.PARTY).count() <= 2
    )


def _stays_in_scope(scope, agreement, *, without=None, adding=None):
    """Whether an agreement keeps a party within the scope once the party `without` is gone
    and the locality `adding` is a party (one query; none for province staff)."""
    if scope is None or scope.is_whole or agreement is None:
        return True
    ids = set(
        Party.objects.filter(agreement=agreement)
        .exclude(pk=without)
        .values_list("locality", flat=True)
    )
    if adding is not None:
        ids.add(adding.pk)
    return Locality.objects.filter(scope.localities(), pk__in=ids).exists()


LEAVES_SCOPE = _(
    "One of the parties must be a locality in your charge, or a unit below one: "
    "you could not see this agreement otherwise."
)


class PartyForm(forms.ModelForm):
    """A party edited on its own page: it cannot leave a published agreement with one signer,
    nor take an agreement out of the scope of the account editing it."""

    # The scope of the account saving (PartyAdmin.get_form); whole when unset.
    scope = None

    class Meta:
        model = Party
        fields = ["agreement", "locality", "role", "signatory_name", "signatory_title", "position"]

    def clean(self):
        cleaned = super().clean()
        self._refuse_out_of_scope(cleaned)
        if self.instance.pk is None:
            return cleaned
        before = Party.objects.select_related("agreement").get(pk=self.instance.pk)
        leaves = cleaned.get("role", before.role) != before.role or (
            cleaned.get("agreement", before.agreement) != before.agreement
        )
        if leaves and _published_agreement_would_lose_a_signer(before):
            field = "role" if cleaned.get("role") != before.role else "agreement"
            self.add_error(
                field,
                _(
                    "“%(agreement)s” is published and needs at least two twinning parties: "
                    "add another party before changing this one."
                )
                % {"agreement": before.agreement},
            )
        return cleaned

    def _refuse_out_of_scope(self, cleaned):
        agreement, locality = cleaned.get("agreement"), cleaned.get("locality")
        if agreement is None or locality is None:
            return
        pk = self.instance.pk
        if not _stays_in_scope(self.scope, agreement, without=pk, adding=locality):
            self.add_error("locality", LEAVES_SCOPE)
            return
        # Moving the party away must not take its former agreement out of the scope.
        moved = pk is not None and self.instance.agreement_id != agreement.pk
        if moved and not _stays_in_scope(self.scope, self.instance.agreement, without=pk):
            self.add_error("agreement", LEAVES_SCOPE)


class PhotoForm(forms.ModelForm):
    class Meta:
        model = Photo
        fields = ["agreement", "event", "image", "caption", "credit", "is_placeholder", "position"]

    def clean(self):
        cleaned = super().clean()
        agreement, event = cleaned.get("agreement"), cleaned.get("event")
        if agreement and event and event.agreement_id != agreement.pk:
            self.add_error("event", _("This event belongs to another agreement."))
        return cleaned


# --- Inline formsets: a fixed number of queries whatever the number of rows ------------------


class LabelledAutocompleteSelect(AutocompleteSelect):
    """An autocomplete that takes the selected option's label from ``labels`` when it is there.

    Django's own widget runs one query per row to find the label of the selected object; the
    formset fills ``labels`` from its rows, which it has already read with their related object.
    """

    labels = None

    def optgroups(self, name, value, attr=None):
        selected = {str(v) for v in value if v not in (None, "")}
        if self.labels is None or not selected <= self.labels.keys():
            return super().optgroups(name, value, attr)
        options = []
        if not self.is_required and not self.allow_multiple_selected:
            options.append(self.create_option(name, "", "", False, 0))
        for pk in sorted(selected):
            options.append(self.create_option(name, pk, self.labels[pk], True, len(options)))
        return [(None, options, 0)]


class SharedChoicesFormSet(BaseInlineFormSet):
    """Each row's select lists the same choices: read them once for the formset, not per row."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        shared = self.__dict__.setdefault("_shared_choices", {})
        for name, field in form.fields.items():
            widget = _unwrap(field.widget)
            # Visible selects only: the hidden primary key is a ModelChoiceField over the whole
            # table, and an autocomplete renders the selected option alone.
            if not isinstance(field, forms.ModelChoiceField) or not isinstance(
                widget, forms.Select
            ):
                continue
            if isinstance(widget, AutocompleteMixin):
                continue
            if name not in shared:
                # iter(): list() of the choices themselves would first ask their len(), a COUNT.
                shared[name] = list(iter(field.choices))
            field.choices = shared[name]


class PartyFormSet(SharedChoicesFormSet):
    """Parties of an agreement: at least two sign it, and none is listed twice."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        widget = _unwrap(form.fields["locality"].widget)
        if isinstance(widget, LabelledAutocompleteSelect):
            if not hasattr(self, "_locality_labels"):
                self._locality_labels = {
                    str(party.locality_id): str(party.locality) for party in self.get_queryset()
                }
            widget.labels = self._locality_labels

    def clean(self):
        if any(self.errors):
            return
        kept = [
            form
            for form in self.forms
            if form.cleaned_data.get("locality") and not self._should_delete_form(form)
        ]
        seen = set()
        for form in kept:
            locality = form.cleaned_data["locality"]
            if locality.pk in seen:
                form.add_error(
                    "locality", constraint_message(Party, "agreements_party_unique_locality")
                )
            seen.add(locality.pk)
        self._refuse_moves_onto_other_rows(kept)
        self._refuse_out_of_scope(kept)
        signing = [f for f in kept if f.cleaned_data.get("role") == PartyRole.PARTY]
        if len(signing) < 2:
            raise ValidationError(
                _(
                    "An agreement needs at least two twinning parties: choose the localities "
                    "or units that signed it (a coordinating unit does not count)."
                ),
                code="too_few_parties",
            )
        super().clean()

    # The scope of the account saving (PartyInline.get_formset); whole when unset.
    scope = None

    def _refuse_out_of_scope(self, kept):
        """A scoped account keeps one of its localities (or a unit below one) among the parties:
        otherwise the agreement would leave its hands as it saves it."""
        if self.scope is None or self.scope.is_whole:
            return
        chosen = [f.cleaned_data["locality"].pk for f in kept]
        if not Locality.objects.filter(self.scope.localities(), pk__in=chosen).exists():
            raise ValidationError(LEAVES_SCOPE, code="out_of_scope")

    def _refuse_moves_onto_other_rows(self, kept):
        """A saved row cannot take the locality another saved row is giving up in this save.

        (Two rows trading localities would each clash with the other mid-save; a new row that
        names a removed party's locality is fine: save() reuses the removed row.)
        """
        original = {f.instance.pk: f.initial.get("locality") for f in self.initial_forms}
        for form in kept:
            if "locality" not in form.cleaned_data:  # already refused as a duplicate
                continue
            locality = form.cleaned_data["locality"].pk
            holders = {pk for pk, held in original.items() if held == locality}
            holders.discard(form.instance.pk)
            moving_away = {
                f.instance.pk
                for f in self.initial_forms
                if f.instance.pk in holders
                and not self._should_delete_form(f)
                and f.cleaned_data.get("locality")
                and f.cleaned_data["locality"].pk != locality
            }
            if moving_away:
                form.add_error(
                    "locality",
                    _(
                        "Another row of this agreement holds this locality until the save: "
                        "change that row instead, or save the other change first."
                    ),
                )

    def save(self, commit=True):
        """New parties first, then changes, then removals.

        A published agreement then never passes through a moment with a single signer, which
        SQLite's trigger (checked at each write, not at commit) would refuse. A new row naming a
        locality whose row is being removed takes that row over instead of clashing with it.
        """
        if not commit:
            return super().save(commit)
        self.new_objects, self.changed_objects, self.deleted_objects = [], [], []
        removed = {
            form.initial.get("locality"): form
            for form in self.initial_forms
            if form.instance.pk and self._should_delete_form(form)
        }
        saved = []
        for form in self.extra_forms:
            if not form.has_changed() or self._should_delete_form(form):
                continue
            reused = removed.pop(form.cleaned_data["locality"].pk, None)
            if reused is None:
                saved.append(self.save_new(form))
                self.new_objects.append(saved[-1])
                continue
            party = reused.instance
            changed = [
                name
                for name in form.cleaned_data
                if name in form._meta.fields and getattr(party, name) != form.cleaned_data[name]
            ]
            for name in changed:
                setattr(party, name, form.cleaned_data[name])
            party.save()
            self.changed_objects.append((party, changed))
            saved.append(party)
        reused_pks = {f.instance.pk for f in self.initial_forms if self._should_delete_form(f)}
        reused_pks -= {f.instance.pk for f in removed.values()}
        for form in self.initial_forms:
            if form.instance.pk in reused_pks or self._should_delete_form(form):
                continue
            if form.has_changed():
                saved.append(self.save_existing(form, form.instance))
                self.changed_objects.append((form.instance, form.changed_data))
        for form in removed.values():
            self.deleted_objects.append(form.instance)
            self.delete_existing(form.instance)
        return saved


# --- Inlines ---------------------------------------------------------------------------------


class PartyInline(admin.TabularInline):
    model = Party
    formset = PartyFormSet
    fields = ["locality", "role", "signatory_name", "signatory_title", "position"]
    autocomplete_fields = ["locality"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("locality")

    def get_extra(self, request, obj=None, **kwargs):
        return 2 if obj is None else 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.scope = scope_of(request.user)
        return formset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "locality":
            kwargs["widget"] = LabelledAutocompleteSelect(db_field, self.admin_site)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CommitmentInline(admin.TabularInline):
    model = Commitment
    formset = SharedChoicesFormSet
    fields = ["area", "text", "position"]

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj is None else 0


class ProgrammeInline(admin.TabularInline):
    model = Programme
    formset = SharedChoicesFormSet
    fields = ["name", "starts_on", "ends_on", "date_precision", "signed_on", "description"]
    extra = 0


class EventInline(admin.StackedInline):
    model = Event
    formset = SharedChoicesFormSet
    fields = [
        ("kind", "title"),
        ("held_on", "date_precision"),
        "place",
        "description",
        "participants",
    ]
    extra = 0
    show_change_link = True


# An uploaded photo is checked and re-encoded by the form: what is stored is the new file.
PHOTO_UPLOADS = {models.ImageField: {"form_class": PhotoField}}


class PhotoInline(admin.TabularInline):
    model = Photo
    formfield_overrides = PHOTO_UPLOADS
    formset = SharedChoicesFormSet
    fields = ["image", "caption", "credit", "event", "is_placeholder", "position"]
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        # Inline instances are made for each request, so the agreement can be kept here for
        # formfield_for_foreignkey: a photo's event is chosen among this agreement's events.
        self.agreement = obj
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "event":
            agreement = getattr(self, "agreement", None)
            kwargs["queryset"] = (
                Event.objects.filter(agreement=agreement) if agreement else Event.objects.none()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


class SourceInline(admin.TabularInline):
    model = Source
    formfield_overrides = HTTPS_URLS
    formset = SharedChoicesFormSet
    fields = ["title", "publisher", "published_on", "date_precision", "url"]
    extra = 0


# --- Agreements ------------------------------------------------------------------------------


class SigningYearFilter(year_filter("signed_on", _("signing year"))):
    """The years of signing (year_filter), and the agreements without a signing date."""

    parameter_name = "signed"
    NOT_DATED = "none"

    def lookups(self, request, model_admin):
        return [*super().lookups(request, model_admin), (self.NOT_DATED, _("No signing date"))]

    def queryset(self, request, queryset):
        if self.value() == self.NOT_DATED:
            return queryset.filter(signed_on__isnull=True)
        return super().queryset(request, queryset)


class PartyKindFilter(admin.SimpleListFilter):
    title = _("kind of party")
    parameter_name = "party_kind"

    def lookups(self, request, model_admin):
        return LocalityKind.choices

    def queryset(self, request, queryset):
        if self.value():
            # A subquery, not a join: an agreement with two communes is listed once.
            return queryset.filter(
                pk__in=Party.objects.filter(locality__kind=self.value()).values("agreement")
            )
        return queryset


@admin.register(Agreement)
class AgreementAdmin(
    LargeListMixin,
    ReviewedChangesMixin,
    ImportTemplateMixin,
    ImportExportMixin,
    ScopedAdminMixin,
    FoldedSearchMixin,
    HistoryAdmin,
):
    # Excel: agreements with their parties in and out, the template at "import-template/".
    resource_classes = [AgreementResource]
    excel_template = import_template.TEMPLATE
    import_template_name = "admin/agreements/agreement/import.html"

    def get_resource_kwargs(self, request, *args, **kwargs):
        # Imports and exports reach the agreements in the account's scope, as the list does.
        kwargs = super().get_resource_kwargs(request, *args, **kwargs)
        return {
            **kwargs,
            "scope": scope_of(request.user),
            "may_publish": may_publish(request.user),
        }

    agreement_path = ""
    form = AgreementForm
    list_display = ["display_title", "signed_on", "status", "party_count"]
    list_only = ["title", "signed_on", "status"]
    list_filter = ["status", SigningYearFilter, "commitments__area", PartyKindFilter]
    search_fields = ["search_key"]
    autocomplete_fields = ["legal_basis"]
    list_per_page = 50
    readonly_fields = ["status", "published_at", "last_publication", "created_at", "updated_at"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    ("signed_on", "signed_at_place"),
                    "ended_on",
                    "summary",
                    "legal_basis",
                    "meeting_every",
                ]
            },
        ),
        (
            _("In English"),
            {
                "classes": ["collapse"],
                "description": _(
                    "For the English pages (/en/). Left empty, they show the Vietnamese, "
                    "marked as Vietnamese."
                ),
                "fields": ["title_en", "summary_en"],
            },
        ),
        (
            _("Publication"),
            {
                "fields": [
                    "status",
                    "published_at",
                    "last_publication",
                    "slug",
                    ("created_at", "updated_at"),
                ]
            },
        ),
    ]
    inlines = [
        PartyInline,
        CommitmentInline,
        ProgrammeInline,
        EventInline,
        PhotoInline,
        SourceInline,
    ]
    # The same rows for every account that may view the agreement: kept until the data changes.
    related_rows_kept = True
    actions = ["publish", "unpublish"]

    def get_queryset(self, request):
        signers = (
            Party.objects.filter(agreement=OuterRef("pk"))
            .order_by()
            .values("agreement")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(party_count=Coalesce(Subquery(signers, output_field=IntegerField()), 0))
        )

    @admin.display(description=_("title"), ordering="title")
    def display_title(self, obj):
        return str(obj)

    @admin.display(description=_("parties"), ordering="party_count")
    def party_count(self, obj):
        return obj.party_count

    def save_related(self, request, form, formsets, change):
        # Inside the admin's atomic change view: the title made from the parties is saved with
        # them, or not at all. A proposed change is completed when it is approved.
        super().save_related(request, form, formsets, change)
        if getattr(request, "proposal", None) is None:
            complete_agreement(form.instance)

    @admin.display(description=_("last published or unpublished"))
    def last_publication(self, obj):
        """Who last published or unpublished it, and when, with a link to its whole log."""
        entry = obj.publications.select_related("actor").first() if obj.pk else None
        if entry is None:
            return self.get_empty_value_display()
        who = (entry.actor.get_full_name() or entry.actor.get_username()) if entry.actor else None
        log = reverse("admin:agreements_publication_changelist") + f"?agreement__id__exact={obj.pk}"
        return format_html(
            '{} <a href="{}">{}</a>',
            _("%(action)s by %(who)s on %(when)s")
            % {
                "action": entry.get_action_display(),
                "who": who or _("the system"),
                "when": formats.localize(timezone.localtime(entry.at)),
            },
            log,
            _("(whole log)"),
        )

    def has_publish_permission(self, request):
        return may_publish(request.user)

    def has_delete_permission(self, request, obj=None):
        # Deleting a published agreement takes it from the public: that is a reviewer's call.
        if obj is not None and obj.is_published and not may_publish(request.user):
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        # An agreement's publication log goes with it, although nobody may delete log rows.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        perms_needed.discard(Publication._meta.verbose_name)
        return deleted, counts, perms_needed, protected

    def delete_model(self, request, obj):
        delete_agreement(obj, actor=request.user)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for agreement in queryset:
            delete_agreement(agreement, actor=request.user)

    @admin.action(description=_("Publish the selected agreements"), permissions=["publish"])
    def publish(self, request, queryset):
        done = 0
        for agreement in queryset:
            if agreement.is_published:
                continue
            try:
                publish_agreement(agreement, actor=request.user)
            except PermissionDenied as error:
                self.message_user(request, str(error), messages.ERROR)
                return
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(count)d agreement was published.",
                    "%(count)d agreements were published.",
                    done,
                )
                % {"count": done},
                messages.SUCCESS,
            )

    @admin.action(description=_("Unpublish the selected agreements"), permissions=["publish"])
    def unpublish(self, request, queryset):
        done = 0
        for agreement in queryset.filter(status=AgreementStatus.PUBLISHED):
            try:
                unpublish_agreement(agreement, actor=request.user)
            except PermissionDenied as error:
                self.message_user(request, str(error), messages.ERROR)
                return
            done += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d agreement was unpublished: the public no longer sees it.",
                "%(count)d agreements were unpublished: the public no longer sees them.",
                done,
            )
            % {"count": done},
            messages.SUCCESS,
        )


# --- The parts of an agreement, each with its own list -----------------------------------


class AgreementPartAdmin(
    LargeListMixin, ReviewedChangesMixin, ScopedAdminMixin, FoldedSearchMixin, HistoryAdmin
):
    """Lists of an agreement's parts, to find them across agreements; entered on the agreement.
    At national scale (75,000 events, 70,000 commitments, 42,000 parties) each list is in an
    order an index answers (the latest entered or the latest day first), not its agreement
    page's order (a party's position) sorted across every agreement."""

    autocomplete_fields = ["agreement"]
    list_select_related = ["agreement"]
    list_per_page = 50
    ordering = ["-id"]


@admin.register(Party)
class PartyAdmin(AgreementPartAdmin):
    form = PartyForm
    list_display = ["locality", "agreement", "role", "signatory_name", "signatory_title"]
    list_filter = ["role", "locality__kind"]
    list_select_related = ["agreement", "locality"]
    search_fields = ["locality__search_key", "signatory_name", "agreement__search_key"]
    autocomplete_fields = ["agreement", "locality"]

    def get_actions(self, request):
        # Deleting parties in bulk could leave a published agreement with one signer.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.scope = scope_of(request.user)
        return form

    def delete_view(self, request, object_id, extra_context=None):
        # Not has_delete_permission(): the agreement's own delete page asks it for each party.
        party = self.get_object(request, unquote(object_id))
        if party is None or not self.has_delete_permission(request, party):
            return super().delete_view(request, object_id, extra_context)
        if not _stays_in_scope(scope_of(request.user), party.agreement, without=party.pk):
            self.message_user(request, LEAVES_SCOPE, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:agreements_party_change", args=[party.pk]))
        if _published_agreement_would_lose_a_signer(party):
            self.message_user(
                request,
                _(
                    "“%(agreement)s” is published and needs at least two twinning parties: "
                    "add another party before removing this one, or unpublish the agreement."
                )
                % {"agreement": party.agreement},
                messages.ERROR,
            )
            return HttpResponseRedirect(reverse("admin:agreements_party_change", args=[party.pk]))
        return super().delete_view(request, object_id, extra_context)


@admin.register(Commitment)
class CommitmentAdmin(AgreementPartAdmin):
    list_display = ["area", "short_text", "agreement"]
    list_filter = [("area", KeptChoicesFilter)]
    list_select_related = ["agreement", "area"]
    search_fields = ["text", "agreement__search_key"]

    @admin.display(description=_("in the agreement's words"))
    def short_text(self, obj):
        return str(obj)


@admin.register(Programme)
class ProgrammeAdmin(AgreementPartAdmin):
    list_display = ["name", "agreement", "starts_on", "ends_on"]
    search_fields = ["name", "agreement__search_key"]
    list_filter = [year_filter("starts_on", _("year of start"))]
    ordering = ["-starts_on", "-id"]  # agreements 0019


@admin.register(Event)
class EventAdmin(AgreementPartAdmin):
    list_display = ["title", "kind", "held_on", "place", "agreement"]
    list_filter = ["kind", year_filter("held_on", _("year"))]
    search_fields = ["title", "place", "agreement__search_key"]
    ordering = ["-held_on", "-id"]  # agreements 0019


@admin.register(Photo)
class PhotoAdmin(AgreementPartAdmin):
    form = PhotoForm
    formfield_overrides = PHOTO_UPLOADS
    list_display = ["preview", "caption", "agreement", "event", "credit", "is_placeholder"]
    list_display_links = ["preview", "caption"]
    list_filter = ["is_placeholder"]
    list_select_related = ["agreement", "event"]
    search_fields = ["caption", "credit", "agreement__search_key"]
    autocomplete_fields = ["agreement", "event"]
    readonly_fields = ["preview"]

    @admin.display(description=_("image"))
    def preview(self, obj):
        """The thumbnail made when the photo was saved (Photo.save): a few kilobytes per row,
        not the photo scaled by the browser."""
        shown = obj.thumbnail if obj.has_own_thumbnail() else obj.image
        if not shown:
            return ""
        # The row's link to the photo: named by its caption (or its file) for a screen reader.
        name = obj.caption or obj.image.name.rsplit("/", 1)[-1]
        return format_html('<img src="{}" alt="{}" class="photo-thumbnail">', shown.url, name)


@admin.register(Source)
class SourceAdmin(AgreementPartAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ["title", "publisher", "published_on", "agreement"]
    search_fields = ["title", "publisher", "agreement__search_key"]
    ordering = ["-published_on", "-id"]  # agreements 0019


@admin.register(LegalDocument)
class LegalDocumentAdmin(HistoryAdmin):
    """The province's directives, plans and resolutions, cited by agreements of every commune:
    entered and corrected by the province's staff (whole province) only. The staff of a commune
    read them, and cite them from their agreements."""

    formfield_overrides = HTTPS_URLS
    list_display = ["number", "kind", "title", "issuer", "issued_on"]
    list_filter = ["kind"]
    search_fields = ["number", "title", "issuer"]
    prepopulated_fields = {"slug": ["number"]}
    date_hierarchy = "issued_on"

    def _provincial(self, request):
        return scope_of(request.user).is_whole

    def has_add_permission(self, request):
        return super().has_add_permission(request) and self._provincial(request)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._provincial(request)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._provincial(request)


class LogAdminMixin:
    """A log written by the code: nobody adds, changes or deletes its rows by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Publication)
class PublicationAdmin(
    LargeListMixin,
    LogAdminMixin,
    ScopedAdminMixin,
    FoldedSearchMixin,
    NotFoundMixin,
    admin.ModelAdmin,
):
    """The publication log: who published or unpublished which agreement, and when. Read-only:
    rows are written by agreements.services, never by hand."""

    list_display = ["at", "action", "agreement", "actor_name"]
    list_filter = ["action", year_filter("at", _("year"))]
    list_select_related = ["agreement", "actor"]
    list_per_page = 50
    search_fields = ["agreement__search_key", "actor__username"]
    fields = ["agreement", "action", "actor_name", "at"]
    readonly_fields = fields

    @admin.display(description=_("by"), ordering="actor__username")
    def actor_name(self, obj):
        if obj.actor is None:
            return _("the system")
        return obj.actor.get_full_name() or obj.actor.get_username()


@admin.register(CommitmentArea)
class CommitmentAreaAdmin(HistoryAdmin):
    list_display = ["name", "name_en", "position", "slug"]
    list_editable = ["position"]
    search_fields = ["name", "name_en"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "description", "name_en", "description_en", "slug", "position"]


class ReviewForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejecting"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Needed to reject: the editor reads it. Not needed to approve."),
    )


@admin.register(Revision)
class RevisionAdmin(
    LogAdminMixin, ScopedAdminMixin, FoldedSearchMixin, NotFoundMixin, admin.ModelAdmin
):
    """Proposed changes to published agreements: each read as a field-by-field comparison,
    approved or rejected (with a reason) by a reviewer of the agreement's scope. A log: nobody
    adds, edits or deletes its rows by hand (agreements.revisions writes them)."""

    list_display = ["created_at", "subject", "agreement", "author_name", "status"]
    list_filter = ["status"]
    list_select_related = ["agreement", "author"]
    search_fields = ["subject", "agreement__search_key"]
    list_per_page = 50
    review_template = "admin/agreements/revision/review.html"

    @admin.display(description=_("proposed by"), ordering="author__username")
    def author_name(self, obj):
        return obj.author.get_full_name() or obj.author.get_username()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        revision = self.get_object(request, unquote(object_id))
        may_review = revision.is_pending and may_publish(request.user)
        form = ReviewForm(request.POST if request.method == "POST" else None)
        if request.method == "POST":
            if not may_review:
                raise PermissionDenied
            if not ({"_approve", "_reject"} & set(request.POST)):
                return HttpResponseBadRequest(_("Choose to approve or to reject the change."))
            if form.is_valid():
                done = self._review(request, revision, form)
                if done:
                    return HttpResponseRedirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "title": str(revision),
            "opts": self.opts,
            "revision": revision,
            "operations": comparison(revision),
            "form": form,
            "may_review": may_review,
            **(extra_context or {}),
        }
        return TemplateResponse(request, self.review_template, context)

    def _review(self, request, revision, form):
        try:  # each in one transaction of its own
            if "_reject" in request.POST:
                reject(revision, reviewer=request.user, reason=form.cleaned_data["reason"])
                message = _("The change was rejected; the editor sees why.")
            else:
                approve(revision, reviewer=request.user)
                message = _("The change was approved: the public sees it now.")
        except ValidationError as error:
            form.add_error(None, error)
            return False
        revision.refresh_from_db()
        self.log_change(request, revision, [{"changed": {"fields": ["status"]}}])
        self.message_user(request, message, messages.SUCCESS)
        return True
