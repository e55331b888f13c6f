import logging
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import FileExtensionValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agreements.documents import validate_document
from agreements.uploads import (
    STORAGE_ERRORS,
    photo_upload_to,
    thumbnail_of,
    thumbnail_upload_to,
)
from localities import changes
from localities.languages import language_of, localized
from localities.models import Locality
from localities.text import search_key

logger = logging.getLogger(__name__)


class DatePrecision(models.TextChoices):
    """How much of a date the source gives: "ngày 26-7-2003", "tháng 7-2023", "năm 2033"."""

    DAY = "day", _("Day")
    MONTH = "month", _("Month only")
    YEAR = "year", _("Year only")


def date_precision_field():
    return models.CharField(
        _("date known to the"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=_("When the source gives only the month or the year, enter its first day."),
    )


def date_precision_constraint(name):
    return models.CheckConstraint(
        condition=Q(date_precision__in=DatePrecision.values),
        name=name,
        violation_error_message=_("Choose day, month or year."),
    )


class LegalDocumentKind(models.TextChoices):
    DIRECTIVE = "directive", _("Directive")
    PLAN = "plan", _("Plan")
    RESOLUTION = "resolution", _("Resolution")
    DECISION = "decision", _("Decision")
    CONCLUSION = "conclusion", _("Conclusion")
    INSTRUCTION = "instruction", _("Guidance")
    OTHER = "other", _("Other document")


class LegalDocument(models.Model):
    """A directive, plan or decision that twinning agreements are signed under (e.g. 03-CT/TU)."""

    number = models.CharField(
        _("number"), max_length=60, help_text=_("As written on the document, e.g. 03-CT/TU.")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=LegalDocumentKind.choices)
    title = models.CharField(_("title"), max_length=500)
    issuer = models.CharField(
        _("issued by"), max_length=200, help_text=_("e.g. Ban Thường vụ Tỉnh ủy Gia Lai.")
    )
    issued_on = models.DateField(_("issued on"))
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    summary = models.TextField(_("summary"), blank=True)
    # Documents only: a stored .html or .js would be served from the site's own origin.
    file = models.FileField(
        _("file"),
        upload_to="legal/",
        blank=True,
        validators=[FileExtensionValidator(["pdf", "doc", "docx", "odt"]), validate_document],
        help_text=_("PDF, DOC, DOCX or ODT, without macros."),
    )
    url = models.URLField(_("link"), blank=True, max_length=500)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("legal document")
        verbose_name_plural = _("legal documents")
        ordering = ["-issued_on", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["number", "issued_on"],
                name="agreements_legaldocument_unique_number_date",
                violation_error_message=_("A document with this number and date already exists."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=LegalDocumentKind.values),
                name="agreements_legaldocument_kind_valid",
                violation_error_message=_("Choose a valid kind of document."),
            ),
        ]

    def __str__(self):
        return self.number


class CommitmentArea(models.Model):
    """One of the shared areas agreements commit to (defence and security, social welfare…)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    name_en = models.CharField(
        _("name in English"), max_length=200, blank=True, default="", db_default=""
    )
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(
        _("description in English"), blank=True, default="", db_default=""
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("commitment area")
        verbose_name_plural = _("commitment areas")
        ordering = ["position", "name"]

    def __str__(self):
        return self.label

    @property
    def label(self):
        """The name in the page's language (localities.languages)."""
        return localized(self.name, self.name_en)

    @property
    def label_lang(self):
        return language_of(self.name, self.name_en)

    @property
    def description_shown(self):
        return localized(self.description, self.description_en)


class MeetingCadence(models.IntegerChoices):
    """How often an agreement's parties meet to review it: a meeting missing for longer makes
    the agreement overdue (activities.reports.cycle)."""

    QUARTERLY = 3, _("Every three months")
    HALF_YEARLY = 6, _("Every six months")
    YEARLY = 12, _("Every year")


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


def in_force_condition(on, prefix=""):
    """In force on a day: signed by then, and no end date or one not yet passed (it ends at the
    end of that day). The one definition: pages, filters, dashboards and exports use it.
    `prefix` reaches the agreement from another model ("agreement__")."""
    return Q(**{f"{prefix}signed_on__lte": on}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gte": on})
    )


class AgreementQuerySet(changes.ChangesQuerySet):
    def in_force(self, on):
        return self.filter(in_force_condition(on))

    def ended(self, on):
        """Ended before the day (its end date has passed)."""
        return self.filter(ended_on__lt=on)

    def published(self):
        return self.filter(status=AgreementStatus.PUBLISHED)

    def involving(self, locality):
        return self.filter(parties__locality=locality).distinct()

    def within(self, scope):
        """The agreements a staff scope (localities.scopes) covers: one of their parties is
        one of its localities or lies below one. A subquery, so each is listed once."""
        if scope.is_whole:
            return self
        return self.filter(
            pk__in=Party.objects.filter(scope.localities("locality")).values("agreement")
        )


class Agreement(models.Model):
    """A twinning agreement (giao ước kết nghĩa) between two or more parties."""

    title = models.CharField(
        _("title"),
        max_length=300,
        blank=True,
        help_text=_("Left empty, it is made from the parties' names."),
    )
    # Unique once set (see Meta): a draft gets its slug from its parties after they are saved.
    slug = models.SlugField(_("slug"), max_length=320, blank=True)
    search_key = models.CharField(_("search key"), max_length=300, editable=False, db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signed_at_place = models.CharField(_("place of signing"), max_length=200, blank=True)
    ended_on = models.DateField(
        _("ended on"), null=True, blank=True, help_text=_("Only when the twinning has ended.")
    )
    summary = models.TextField(_("summary"), blank=True)
    title_en = models.CharField(
        _("title in English"),
        max_length=300,
        blank=True,
        default="",
        db_default="",
        help_text=_("Shown on the English pages; left empty, they show the Vietnamese title."),
    )
    summary_en = models.TextField(
        _("summary in English"),
        blank=True,
        default="",
        db_default="",
        help_text=_("Shown on the English pages; left empty, they show the Vietnamese summary."),
    )
    legal_basis = models.ManyToManyField(
        LegalDocument, verbose_name=_("legal basis"), blank=True, related_name="agreements"
    )
    meeting_every = models.PositiveSmallIntegerField(
        _("review meetings"),
        choices=MeetingCadence.choices,
        null=True,
        blank=True,
        help_text=_(
            "How often the parties meet to review the agreement. Left empty, no meeting is "
            "expected and none is reminded."
        ),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AgreementQuerySet.as_manager()

    history = HistoricalRecords(
        excluded_fields=["search_key", "updated_at"], m2m_fields=["legal_basis"]
    )

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-signed_on", "-id"]
        indexes = [
            # "In force", the pairs, the anniversaries: the published agreements by date, read
            # from the index alone.
            models.Index(
                fields=["status", "signed_on", "ended_on"], name="agreements_status_dates"
            ),
            # The same for staff, drafts included: the latest signed first (the pairs, the
            # lists' order).
            models.Index(fields=["-signed_on", "-id"], name="agreements_latest_signed"),
            # The few with a meeting cadence (the work list, the reminders, the dashboards).
            models.Index(
                fields=["meeting_every"],
                condition=Q(meeting_every__isnull=False),
                name="agreements_meeting_cadence",
            ),
        ]
        permissions = [("publish_agreement", _("Can publish and unpublish agreements"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=AgreementStatus.values),
                name="agreements_agreement_status_valid",
                violation_error_message=_("Choose a valid status."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(signed_on__isnull=True)
                | Q(ended_on__gte=F("signed_on")),
                name="agreements_agreement_ended_after_signed",
                violation_error_message=_("The end date cannot be before the signing date."),
            ),
            models.CheckConstraint(
                condition=Q(meeting_every__isnull=True)
                | Q(meeting_every__in=MeetingCadence.values),
                name="agreements_agreement_meeting_every_valid",
                violation_error_message=_("Choose how often the parties meet."),
            ),
            models.UniqueConstraint(
                fields=["slug"],
                condition=~Q(slug=""),
                name="agreements_agreement_unique_slug",
                violation_error_message=_("Another agreement already has this web address."),
            ),
            models.CheckConstraint(
                condition=Q(status=AgreementStatus.DRAFT)
                | (Q(signed_on__isnull=False, published_at__isnull=False) & ~Q(slug="")),
                name="agreements_agreement_published_complete",
                violation_error_message=_(
                    "A published agreement needs a signing date, a publication time "
                    "and a web address."
                ),
            ),
        ]

    def __str__(self):
        return self.title or _("Agreement #%(id)s") % {"id": self.pk}

    def save(self, *args, **kwargs):
        # Kept in step with the title whatever path saves the row (see localities.text).
        self.search_key = search_key(self.title)
        if kwargs.get("update_fields") is not None and "title" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_key"}
        # Published or not, its activities count in the figures or not; its dates decide when
        # it is in force (localities.changes).
        old = changes.stored(self, "status")
        counted = [self.pk] if old is not None and old != (self.status,) else []
        with changes.writing(agreements=counted, dates=[self.pk]) as change:
            super().save(*args, **kwargs)
            change.created(dates=[self.pk])

    # The title and summary the public pages show, and their language: the English ones on an
    # English page when staff wrote them (localities.languages).
    @property
    def title_shown(self):
        return localized(str(self), self.title_en)

    @property
    def title_lang(self):
        return language_of(self.title, self.title_en)

    @property
    def summary_shown(self):
        return localized(self.summary, self.summary_en)

    @property
    def summary_lang(self):
        return language_of(self.summary, self.summary_en)

    @classmethod
    def concerns_of(cls, rows):
        ids = list(rows.values_list("pk", flat=True))
        return {"agreements": ids, "dates": ids}

    def delete(self, *args, **kwargs):
        with changes.writing(agreements=[self.pk], dates=[self.pk]):
            return super().delete(*args, **kwargs)

    def clean(self):
        if self.ended_on and self.signed_on and self.ended_on < self.signed_on:
            raise ValidationError(
                {"ended_on": _("The end date cannot be before the signing date.")}
            )

    @property
    def is_published(self):
        return self.status == AgreementStatus.PUBLISHED

    def is_in_force(self, on):
        """in_force_condition, for a loaded agreement."""
        signed = self.signed_on is not None and self.signed_on <= on
        return signed and (self.ended_on is None or self.ended_on >= on)


def _save_part(part, fields, save, *args, **kwargs):
    """Save a party or a commitment: when its agreement or what it counts by (`fields`: the
    locality and role, the area) changes, so does where the agreement's activities count
    (localities.changes)."""
    old = changes.stored(part, "agreement_id", *fields)
    new = (part.agreement_id, *(getattr(part, f) for f in fields))
    agreements = [part.agreement_id, old and old[0]]
    with changes.writing(agreements=agreements if old != new else [], dates=agreements):
        save(*args, **kwargs)


def _parts_concerns(rows):
    ids = list(rows.values_list("agreement_id", flat=True).distinct())
    return {"agreements": ids, "dates": ids}


def _delete_part(part, delete, *args, **kwargs):
    with changes.writing(agreements=[part.agreement_id], dates=[part.agreement_id]):
        return delete(*args, **kwargs)


class PartyRole(models.TextChoices):
    PARTY = "party", _("Twinning party")
    COORDINATOR = "coordinator", _("Coordinating unit (does not sign)")


class Party(models.Model):
    """A locality or unit that signed an agreement, with its signatory."""

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="parties"
    )
    locality = models.ForeignKey(
        Locality,
        verbose_name=_("locality or unit"),
        on_delete=models.PROTECT,
        related_name="parties",
    )
    role = models.CharField(_("role"), max_length=20, choices=PartyRole.choices, default="party")
    signatory_name = models.CharField(_("signatory"), max_length=200, blank=True)
    signatory_title = models.CharField(
        _("signatory's title"), max_length=300, blank=True, help_text=_("e.g. Bí thư Đảng ủy xã.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = changes.ChangesQuerySet.as_manager()
    concerns_of = classmethod(lambda cls, rows: _parts_concerns(rows))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "locality"],
                name="agreements_party_unique_locality",
                violation_error_message=_("This locality is already a party to the agreement."),
            ),
            models.CheckConstraint(
                condition=Q(role__in=PartyRole.values),
                name="agreements_party_role_valid",
                violation_error_message=_("Choose a valid role."),
            ),
        ]

    def __str__(self):
        return self.signatory_name or _("Party #%(id)s") % {"id": self.pk}

    def save(self, *args, **kwargs):
        _save_part(self, ("locality_id", "role"), super().save, *args, **kwargs)

    def delete(self, *args, **kwargs):
        return _delete_part(self, super().delete, *args, **kwargs)


class Commitment(models.Model):
    """What the parties commit to in one area, in the agreement's own words."""

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="commitments"
    )
    area = models.ForeignKey(
        CommitmentArea,
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    text = models.TextField(_("in the agreement's words"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = changes.ChangesQuerySet.as_manager()
    concerns_of = classmethod(lambda cls, rows: _parts_concerns(rows))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["position", "id"]
        # The dashboards count agreements by area.
        indexes = [models.Index(fields=["area", "agreement"], name="agreements_commitment_area")]

    def __str__(self):
        return self.text[:80]

    def save(self, *args, **kwargs):
        _save_part(self, ("area_id",), super().save, *args, **kwargs)

    def delete(self, *args, **kwargs):
        return _delete_part(self, super().delete, *args, **kwargs)


class Programme(models.Model):
    """A programme or phase of an agreement, e.g. the 2023–2033 coordination programme."""

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="programmes"
    )
    name = models.CharField(_("name"), max_length=300)
    search_key = models.CharField(_("search key"), max_length=300, editable=False, default="")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    date_precision = date_precision_field()
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords(excluded_fields=["search_key"])

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["starts_on", "id"]
        # The admin's list, the latest first (agreements.admin), and its years (their first
        # and last entries).
        indexes = [models.Index(fields=["starts_on", "id"], name="agreements_programme_started")]
        constraints = [
            date_precision_constraint("agreements_programme_date_precision_valid"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="agreements_programme_ends_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # Kept in step with the name, as an agreement's with its title (the site's search);
        # bulk writes (generate_national) call search_key themselves.
        self.search_key = search_key(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_key"}
        super().save(*args, **kwargs)

    def clean(self):
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end date cannot be before the start date.")})


class EventKind(models.TextChoices):
    SIGNING = "signing", _("Signing ceremony")
    REVIEW = "review", _("Review conference")
    VISIT = "visit", _("Visit")
    EXCHANGE = "exchange", _("Exchange or joint activity")
    OTHER = "other", _("Other event")


class Event(models.Model):
    """A signing ceremony, review conference or visit within an agreement."""

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    title = models.CharField(_("title"), max_length=300)
    held_on = models.DateField(_("date"))
    date_precision = date_precision_field()
    place = models.CharField(_("place"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    participants = models.TextField(
        _("people present"),
        blank=True,
        help_text=_("One per line: name – title, e.g. Đại tá Lê Văn Cương – Sư đoàn trưởng."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["held_on", "id"]
        # The admin's list, the latest first (agreements.admin), and its years (their first
        # and last entries).
        indexes = [models.Index(fields=["held_on", "id"], name="agreements_event_held")]
        constraints = [
            date_precision_constraint("agreements_event_date_precision_valid"),
            models.CheckConstraint(
                condition=Q(kind__in=EventKind.values),
                name="agreements_event_kind_valid",
                violation_error_message=_("Choose a valid kind of event."),
            ),
        ]

    def __str__(self):
        return self.title


class Photo(models.Model):
    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="photos"
    )
    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="photos",
    )
    image = models.ImageField(
        _("image"),
        upload_to=photo_upload_to,
        help_text=_(
            "A JPEG, PNG or WebP photo. It is stored upright, without its location or other "
            "camera data, under a name the site gives it."
        ),
    )
    # Made from the image when it is saved (save()), for the admin's lists.
    thumbnail = models.ImageField(
        _("thumbnail"), upload_to=thumbnail_upload_to, editable=False, blank=True
    )
    caption = models.CharField(_("caption"), max_length=500)
    credit = models.CharField(_("credit"), max_length=200, blank=True, help_text=_("e.g. Đức Hải."))
    is_placeholder = models.BooleanField(
        _("placeholder"),
        default=False,
        help_text=_("A generated image standing in for a photo not yet received."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords(excluded_fields=["thumbnail"])

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["position", "id"]

    def __str__(self):
        return self.caption[:80]

    def save(self, *args, **kwargs):
        # The thumbnail follows the image, however it was set (a form's upload, an approved
        # proposal's stored file, a redrawn demo picture), once the image has its stored name;
        # written without a second save (and a second version in the history).
        super().save(*args, **kwargs)
        if not self.has_own_thumbnail():
            self.make_thumbnail()

    def has_own_thumbnail(self):
        """Whether the thumbnail is the image's: its name holds the image's own random one."""
        return bool(
            self.image
            and self.thumbnail
            and PurePath(self.image.name).stem in PurePath(self.thumbnail.name).stem
        )

    def make_thumbnail(self):
        """The stored image's thumbnail, or none when its file cannot be read (lost from the
        storage): the list shows the image itself then. The one it replaces is deleted once
        the transaction commits."""
        old = self.thumbnail.name or ""
        self.thumbnail.name = ""
        if self.image:
            try:
                self.thumbnail.save("thumbnail.webp", thumbnail_of(self.image), save=False)
            except STORAGE_ERRORS:
                logger.warning("No thumbnail for photo %s: %s unreadable", self.pk, self.image.name)
                self.thumbnail.name = ""
        new = self.thumbnail.name or ""
        if new == old:
            return
        Photo.objects.filter(pk=self.pk).update(thumbnail=new)
        if old:
            storage = self.thumbnail.storage
            transaction.on_commit(lambda: _delete_quietly(storage, old))


def _delete_quietly(storage, name):
    try:
        storage.delete(name)
    except STORAGE_ERRORS:
        logger.warning("The replaced thumbnail %s could not be deleted", name)


class Source(models.Model):
    """A press article or report the agreement's facts come from."""

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="sources"
    )
    title = models.CharField(_("title"), max_length=500)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    date_precision = date_precision_field()
    url = models.URLField(_("link"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["published_on", "id"]
        # The admin's list, the latest first (agreements.admin), and its years (their first
        # and last entries).
        indexes = [models.Index(fields=["published_on", "id"], name="agreements_source_published")]
        constraints = [date_precision_constraint("agreements_source_date_precision_valid")]

    def __str__(self):
        return self.title


class PublicationAction(models.TextChoices):
    PUBLISHED = "published", _("Published")
    UNPUBLISHED = "unpublished", _("Unpublished")


class Publication(models.Model):
    """One publishing or unpublishing of an agreement: who did it and when (a log, never edited).

    Written by agreements.services in the same transaction as the status change. An empty actor
    means a system job (the demo loader, a management command), not a person.
    """

    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("agreement"),
        # The log goes with its agreement: deleting an agreement is itself recorded by its
        # history, and an agreement published by mistake must still be deletable.
        on_delete=models.CASCADE,
        related_name="publications",
    )
    action = models.CharField(_("action"), max_length=20, choices=PublicationAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        # Staff accounts that published something are deactivated, not deleted: the log keeps
        # their name.
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for a system job, such as loading the demo data."),
    )
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publication log")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=PublicationAction.values),
                name="agreements_publication_action_valid",
                violation_error_message=_("Choose published or unpublished."),
            ),
        ]

    def __str__(self):
        return f"{self.get_action_display()} {timezone.localtime(self.at):%d/%m/%Y %H:%M}"


class RevisionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Revision(models.Model):
    """A change to a published agreement or to one of its records (a party, a commitment, a
    programme, an event, a photo, a source, an activity), proposed by an editor who may not
    publish: the public keeps seeing the published version until a reviewer approves it.

    Written and applied by agreements.revisions only; a log, never edited by hand. `changes`
    lists what each record would become, field by field, with the values at the time of the
    proposal (revisions.py says how it reads).
    """

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="revisions"
    )
    subject = models.CharField(_("changed record"), max_length=300)
    changes = models.JSONField(_("changes"), encoder=DjangoJSONEncoder)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RevisionStatus.choices,
        default=RevisionStatus.PENDING,
        db_index=True,
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reason = models.TextField(_("reason for rejecting"), blank=True)

    class Meta:
        verbose_name = _("proposed change")
        verbose_name_plural = _("proposed changes")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RevisionStatus.values),
                name="agreements_revision_status_valid",
                violation_error_message=_("Choose a valid status."),
            ),
            models.CheckConstraint(
                condition=Q(status=RevisionStatus.PENDING)
                | Q(reviewer__isnull=False, reviewed_at__isnull=False),
                name="agreements_revision_reviewed_by_someone",
                violation_error_message=_("A reviewed change names its reviewer and the time."),
            ),
            models.CheckConstraint(
                condition=~Q(status=RevisionStatus.REJECTED) | ~Q(reason=""),
                name="agreements_revision_rejected_with_reason",
                violation_error_message=_("Say why the change is rejected."),
            ),
        ]

    def __str__(self):
        return _("Proposed change #%(id)s: %(subject)s") % {"id": self.pk, "subject": self.subject}

    @property
    def is_pending(self):
        return self.status == RevisionStatus.PENDING
