from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from localities import changes, text


class LocalityKind(models.TextChoices):
    PROVINCE = "province", _("Province or centrally-run city")
    DISTRICT = "district", _("District-level unit (until 30-6-2025)")
    WARD = "ward", _("Ward")
    COMMUNE = "commune", _("Commune")
    SPECIAL_ZONE = "special_zone", _("Special zone")
    VILLAGE = "village", _("Village or residential group")
    MILITARY_UNIT = "military_unit", _("Military unit")
    AGENCY = "agency", _("Agency or organisation")


# Kinds that are administrative units of the official register (they carry official codes).
ADMINISTRATIVE_KINDS = (
    LocalityKind.PROVINCE,
    LocalityKind.DISTRICT,
    LocalityKind.WARD,
    LocalityKind.COMMUNE,
    LocalityKind.SPECIAL_ZONE,
)


class LocalityQuerySet(models.QuerySet):
    def active(self):
        return self.filter(dissolved_on__isnull=True)

    def search(self, query):
        """Every word of the query, diacritics and case ignored: 'ia dok' finds 'Xã Ia Dơk'."""
        qs = self
        for word in text.search_words(query):
            qs = qs.filter(search_key__contains=word)
        return qs


# Addresses under /dia-phuong/ that are pages of the site itself (ketnghia/public/
# locality_urls.py): no locality may have them as its slug.
RESERVED_SLUGS = frozenset({"goi-y"})


def validate_not_reserved(value):
    if value in RESERVED_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is the address of a page of the site: choose another web address."),
            code="reserved",
            params={"slug": value},
        )


class Locality(models.Model):
    """An administrative unit, a village, or a unit or agency that can sign an agreement."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=LocalityKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("belongs to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text=_("The unit this one lies in: a village's commune, a commune's province."),
    )
    code = models.CharField(
        _("official code"),
        max_length=10,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Administrative unit code of the national statistics catalogue, if any."),
        error_messages={
            "unique": _("Another locality or unit already has this official code: check it.")
        },
    )
    slug = models.SlugField(
        _("slug"), max_length=220, unique=True, validators=[validate_not_reserved]
    )
    search_key = models.CharField(_("search key"), max_length=200, editable=False, db_index=True)
    is_ethnic_minority_area = models.BooleanField(
        _("ethnic-minority area"),
        default=False,
        help_text=_(
            "A village or unit in an ethnic-minority area (Plan 43/KH-UBND targets these)."
        ),
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(-90, message=_("Latitude must be between -90 and 90.")),
            MaxValueValidator(90, message=_("Latitude must be between -90 and 90.")),
        ],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(-180, message=_("Longitude must be between -180 and 180.")),
            MaxValueValidator(180, message=_("Longitude must be between -180 and 180.")),
        ],
    )
    established_on = models.DateField(_("established on"), null=True, blank=True)
    dissolved_on = models.DateField(
        _("dissolved on"),
        null=True,
        blank=True,
        help_text=_(
            "For a unit merged or dissolved (e.g. on 1-7-2025). It is kept, never deleted."
        ),
    )
    successors = models.ManyToManyField(
        "self",
        verbose_name=_("successors"),
        through="Succession",
        through_fields=("predecessor", "successor"),
        symmetrical=False,
        blank=True,
        related_name="predecessors",
        help_text=_("The units that took over from a dissolved one."),
    )
    note = models.TextField(
        _("internal note"),
        blank=True,
        help_text=_(
            "For staff only (sources, what is still to check): never shown on public pages."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = LocalityQuerySet.as_manager()

    history = HistoricalRecords(excluded_fields=["search_key", "updated_at"])

    class Meta:
        verbose_name = _("locality or unit")
        verbose_name_plural = _("localities and units")
        ordering = ["search_key", "id"]
        indexes = [
            # The ethnic-minority villages counted on every dashboard.
            models.Index(
                fields=["kind", "is_ethnic_minority_area"],
                condition=Q(dissolved_on__isnull=True),
                name="localities_current_kind",
            ),
            # The register in its order, page after page (the open-data API).
            models.Index(fields=["search_key", "id"], name="localities_sorted"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=LocalityKind.values),
                name="localities_kind_valid",
                violation_error_message=_("Choose a valid kind of locality."),
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("id")),
                name="localities_parent_not_self",
                violation_error_message=_("A locality cannot belong to itself."),
            ),
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True)
                | Q(established_on__isnull=True)
                | Q(dissolved_on__gte=F("established_on")),
                name="localities_dissolved_after_established",
                violation_error_message=_(
                    "The dissolution date cannot be before the founding date."
                ),
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="localities_latitude_range",
                violation_error_message=_("Latitude must be between -90 and 90."),
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="localities_longitude_range",
                violation_error_message=_("Longitude must be between -180 and 180."),
            ),
            models.CheckConstraint(
                condition=~Q(code=""),
                name="localities_code_not_blank",
                violation_error_message=_("Leave the official code empty rather than blank."),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # The search key is derived from the name and must never drift from it, whatever path
        # saves the row; bulk writes (import_units) call text.search_key themselves.
        self.search_key = text.search_key(self.name)
        if not self.slug:
            self.slug = text.slugify(self.name)[:220]
            if self.slug in RESERVED_SLUGS:
                self.slug = f"{self.slug}-2"
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_key"}
        # Moved under another parent, it and the units below it count in other units; of
        # another kind or standing, it may be an ethnic-minority village, or no longer.
        old = changes.stored(self, "parent_id", "kind", "is_ethnic_minority_area", "dissolved_on")
        new = (self.parent_id, self.kind, self.is_ethnic_minority_area, self.dissolved_on)
        moved = [self.pk] if old is not None and old[0] != new[0] else []
        described = [self.pk] if old is not None and old[1:] != new[1:] else []
        with changes.writing(units=moved, kinds=described):
            super().save(*args, **kwargs)

    def clean(self):
        # The same rules as the constraints above, told at the field that is wrong.
        if self.dissolved_on and self.established_on and self.dissolved_on < self.established_on:
            raise ValidationError(
                {"dissolved_on": _("The dissolution date cannot be before the founding date.")}
            )
        ancestor, seen = self.parent, 0
        while ancestor is not None and seen < 10:
            if self.pk is not None and ancestor.pk == self.pk:
                raise ValidationError({"parent": _("A locality cannot belong to itself.")})
            ancestor, seen = ancestor.parent, seen + 1

    @property
    def is_dissolved(self):
        return self.dissolved_on is not None


class Succession(models.Model):
    """A dissolved unit and one of the units that took over from it.

    Both links protect their locality: a unit with a successor or a predecessor is never
    deleted, by the admin, the ORM or raw SQL (the foreign keys have no ON DELETE action).
    """

    predecessor = models.ForeignKey(
        Locality,
        verbose_name=_("dissolved unit"),
        on_delete=models.PROTECT,
        related_name="succeeded_by",
    )
    successor = models.ForeignKey(
        Locality,
        verbose_name=_("successor"),
        on_delete=models.PROTECT,
        related_name="succeeds",
    )

    objects = changes.ChangesQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("succession")
        verbose_name_plural = _("successions")
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"],
                name="localities_succession_unique",
                violation_error_message=_("This unit is already listed as a successor."),
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=F("successor")),
                name="localities_succession_not_self",
                violation_error_message=_("A unit cannot succeed itself."),
            ),
        ]

    def __str__(self):
        return f"{self.predecessor_id} → {self.successor_id}"

    def save(self, *args, **kwargs):
        # The dissolved unit's figures count in its successor (localities.tree.area_ids), or
        # no longer in the one it had (localities.changes).
        old = changes.stored(self, "predecessor_id")
        with changes.writing(units=[self.predecessor_id, *(old or ())]):
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        with changes.writing(units=[self.predecessor_id]):
            return super().delete(*args, **kwargs)

    @classmethod
    def concerns_of(cls, rows):
        return {"units": list(rows.values_list("predecessor_id", flat=True))}


class StaffLocality(models.Model):
    """A locality a staff account is responsible for: its remit.

    An account with remits sees and edits the agreements where one of these localities, or a
    unit below one (a commune's village, a province's communes), is a party. Holders of
    ``localities.whole_province`` (province staff) and superusers see everything; an account
    with neither sees no agreement at all. localities.scopes reads these rows.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="remits",
    )
    locality = models.ForeignKey(
        Locality,
        verbose_name=_("locality"),
        on_delete=models.PROTECT,
        related_name="staff",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("locality in charge")
        verbose_name_plural = _("localities in charge")
        permissions = [("whole_province", _("Can see and edit the whole province"))]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "locality"],
                name="localities_stafflocality_unique",
                violation_error_message=_("This account already has this locality."),
            ),
        ]

    def __str__(self):
        return str(self.locality)
