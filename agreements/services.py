"""Writes on agreements that touch several rows or change what the public sees."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import Agreement, AgreementStatus, PartyRole
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


@transaction.atomic
def publish_agreement(agreement):
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
    return agreement


@transaction.atomic
def unpublish_agreement(agreement):
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    agreement.status = AgreementStatus.DRAFT
    agreement.published_at = None
    agreement.save(update_fields=["status", "published_at", "updated_at"])
    return agreement


@transaction.atomic
def delete_agreement(agreement):
    """Unpublish, then delete with its parties, commitments, programmes, events and photos.

    Its activities protect it: an agreement that delivered something is not deleted.
    """
    unpublish_agreement(agreement)
    agreement.delete()
