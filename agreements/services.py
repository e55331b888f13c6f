"""Writes on agreements that touch several rows or change what the public sees."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import (
    Agreement,
    AgreementStatus,
    PartyRole,
    Publication,
    PublicationAction,
)
from localities.text import slugify

TITLE_SEPARATOR = " – "


def title_from_parties(agreement):
    """'Xã Ia Dơk – Phường An Nhơn Bắc': the signing parties' names in their order."""
    names = agreement.parties.filter(role=PartyRole.PARTY).values_list("locality__name", flat=True)
    return TITLE_SEPARATOR.join(names)


def unique_slug(agreement, base):
    slug = (slugify(base) or "giao-uoc")[:300]
    taken = set(
        Agreement.objects.filter(slug__startswith=slug)
        .exclude(pk=agreement.pk)
        .values_list("slug", flat=True)
    )
    candidate, n = slug, 2
    while candidate in taken:
        candidate, n = f"{slug}-{n}", n + 1
    return candidate


@transaction.atomic
def complete_agreement(agreement):
    """After the parties are saved: fill an empty title from them, and a slug from the title."""
    fields = []
    if not agreement.title:
        agreement.title = title_from_parties(agreement)
        fields.append("title")
    if not agreement.slug and agreement.title:
        base = agreement.title
        if agreement.signed_on:
            base = f"{base} {agreement.signed_on.year}"
        agreement.slug = unique_slug(agreement, base)
        fields.append("slug")
    if fields:
        agreement.save(update_fields=[*fields, "updated_at"])
    return agreement


def publication_problems(agreement):
    """What keeps an agreement from being published, as sentences for the person publishing."""
    problems = []
    if agreement.parties.filter(role=PartyRole.PARTY).count() < 2:
        problems.append(_("it needs at least two twinning parties"))
    if agreement.signed_on is None:
        problems.append(_("it needs a signing date"))
    if not agreement.title:
        problems.append(_("it needs a title"))
    return problems


PUBLISH_PERMISSION = "agreements.publish_agreement"


def may_publish(actor):
    """Whether ``actor`` may publish and unpublish agreements.

    ``None`` is a system job run by the people who operate the site (the demo loader, a
    management command), not a person: it may, and the publication log records it as such.
    """
    return actor is None or actor.has_perm(PUBLISH_PERMISSION)


def _check_may_publish(actor):
    if not may_publish(actor):
        raise PermissionDenied(
            _("Only a reviewer may publish or unpublish agreements: ask one to check this one.")
        )


@transaction.atomic
def publish_agreement(agreement, *, actor):
    """Make a complete draft public, and log who did it and when.

    ``actor`` is the user publishing (they need the permission to publish), or ``None`` for a
    system job (see may_publish).
    """
    _check_may_publish(actor)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.is_published:
        return agreement
    problems = publication_problems(agreement)
    if problems:
        raise ValidationError(
            _("“%(agreement)s” cannot be published: %(problems)s.")
            % {"agreement": agreement, "problems": "; ".join(problems)},
            code="incomplete",
        )
    agreement.status = AgreementStatus.PUBLISHED
    agreement.published_at = timezone.now()
    agreement.full_clean()
    agreement.save(update_fields=["status", "published_at", "updated_at"])
    Publication.objects.create(
        agreement=agreement,
        action=PublicationAction.PUBLISHED,
        actor=actor,
        at=agreement.published_at,
    )
    return agreement


@transaction.atomic
def unpublish_agreement(agreement, *, actor):
    """Hide a published agreement from the public again, and log who did it and when."""
    _check_may_publish(actor)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if not agreement.is_published:
        return agreement
    agreement.status = AgreementStatus.DRAFT
    agreement.published_at = None
    agreement.save(update_fields=["status", "published_at", "updated_at"])
    Publication.objects.create(
        agreement=agreement, action=PublicationAction.UNPUBLISHED, actor=actor
    )
    return agreement


@transaction.atomic
def delete_agreement(agreement, *, actor):
    """Unpublish, then delete with its parties, commitments, programmes, events and photos.

    Deleting a published agreement takes it away from the public, so it needs the permission to
    unpublish. Its activities protect it: an agreement that delivered something is not deleted.
    """
    if Agreement.objects.filter(pk=agreement.pk, status=AgreementStatus.PUBLISHED).exists():
        unpublish_agreement(agreement, actor=actor)
    agreement.delete()
