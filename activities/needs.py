"""The needs board's rights and writes (README, "Roles" and "The needs board").

- A need is posted for a village, commune, ward or special zone by an account allowed to add
  needs whose scope covers the place: its commune's staff, or the province's.
- An offer answers an open need, made by an account allowed to add offers whose scope covers
  the unit offering: the unit's own staff, or the province's (localities.scopes).
- The place's staff (allowed to change needs, the place in scope) or a province officer accept
  or decline an offer.
- A province officer (``convert_offer``, the whole province in scope) turns an accepted offer
  into a draft agreement between the place and the unit, or into a pledged activity under an
  agreement in force they both sign (a village's commune's counts). The offer keeps the link,
  and the agreement or activity made is protected while it does: deleting it means deleting
  the offer first (a province administrator's call). The need is taken up.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity, ActivityStatus, NeedStatus, Offer, OfferStatus
from agreements.models import (
    Agreement,
    AgreementStatus,
    Commitment,
    Party,
    PartyRole,
    in_force_condition,
)
from agreements.services import complete_agreement
from localities.models import LocalityKind
from localities.scopes import scope_of

CONVERT_PERMISSION = "activities.convert_offer"


def may_post(user, locality):
    """Whether `user` may post (or change) a need of `locality`."""
    return user.has_perm("activities.add_need") and scope_of(user).covers(locality)


def may_change_need(user, need):
    return user.has_perm("activities.change_need") and scope_of(user).covers(need.locality)


def may_offer(user, party):
    """Whether `user` may offer (or change an offer) on behalf of `party`."""
    return user.has_perm("activities.add_offer") and scope_of(user).covers(party)


def may_convert(user):
    """A province officer: the permission, and the whole province in scope."""
    return user.has_perm(CONVERT_PERMISSION) and scope_of(user).is_whole


def may_answer(user, offer):
    """Whether `user` may accept or decline `offer`: the place's staff, or a province officer."""
    return may_convert(user) or may_change_need(user, offer.need)


def _check(allowed, message):
    if not allowed:
        raise PermissionDenied(message)


def _locked(offer):
    """The offer read again with its need, place and unit, the offer's and the need's rows
    locked (FOR UPDATE locks every row of the join): an answer, a withdrawal or a conversion
    made meanwhile is seen, and waits for this one."""
    related = ("need__locality", "party")
    return Offer.objects.select_for_update().select_related(*related).get(pk=offer.pk)


@transaction.atomic
def answer(offer, actor, *, accept):
    """Accept or decline an offer; a converted one stays as it is."""
    offer = _locked(offer)
    _check(may_answer(actor, offer), _("Only the place's staff or the province answer an offer."))
    if offer.is_converted:
        raise ValidationError(_("This offer has already become an agreement or an activity."))
    if accept and offer.need.status != NeedStatus.OPEN:
        raise ValidationError(_("This need is no longer open: it was taken up or withdrawn."))
    offer.status = OfferStatus.ACCEPTED if accept else OfferStatus.DECLINED
    offer.answered_by = actor
    offer.answered_at = timezone.now()
    offer.save(update_fields=["status", "answered_by", "answered_at", "updated_at"])
    return offer


def _convertible(offer, actor):
    _check(
        may_convert(actor),
        _("Only a province officer turns an offer into an agreement or an activity."),
    )
    offer = _locked(offer)
    problem = conversion_problem(offer)
    if problem:
        raise ValidationError(problem)
    return offer


def conversion_problem(offer):
    """Why `offer` cannot be turned now, as a sentence; "" when it can."""
    if offer.is_converted:
        return _("This offer has already become an agreement or an activity.")
    if offer.status != OfferStatus.ACCEPTED:
        return _("Accept the offer first: only an accepted offer is turned.")
    if offer.need.status == NeedStatus.WITHDRAWN:
        return _("The need was withdrawn: it is no longer turned into anything.")
    return ""


def _taken_up(offer):
    need = offer.need
    if need.status == NeedStatus.OPEN:
        need.status = NeedStatus.MET
        need.save(update_fields=["status", "updated_at"])


@transaction.atomic
def to_draft_agreement(offer, actor):
    """A draft agreement between the place in need and the unit that offered, signing in that
    order, with the need's area among its commitments; the public sees it once a reviewer
    completes and publishes it."""
    offer = _convertible(offer, actor)
    need = offer.need
    summary = _("From the need “%(need)s” of %(place)s; what %(party)s offered: %(offer)s") % {
        "need": need.title,
        "place": need.locality.name,
        "party": offer.party.name,
        "offer": offer.description,
    }
    agreement = Agreement.objects.create(status=AgreementStatus.DRAFT, summary=summary)
    Party.objects.create(
        agreement=agreement, locality=need.locality, role=PartyRole.PARTY, position=0
    )
    Party.objects.create(
        agreement=agreement, locality=offer.party, role=PartyRole.PARTY, position=1
    )
    Commitment.objects.create(agreement=agreement, area=need.area, text=need.title)
    complete_agreement(agreement)
    offer.agreement = agreement
    offer.save(update_fields=["agreement", "updated_at"])
    _taken_up(offer)
    return agreement


def shared_agreements(offer, today=None):
    """The agreements in force today that the unit offering and the place in need (or, for a
    village, its commune) both sign: where a pledged activity may go."""
    need = offer.need
    place_ids = [need.locality_id]
    if need.locality.kind == LocalityKind.VILLAGE and need.locality.parent_id:
        place_ids.append(need.locality.parent_id)
    signing = Party.objects.filter(role=PartyRole.PARTY)
    return (
        Agreement.objects.filter(in_force_condition(today or timezone.localdate()))
        .filter(pk__in=signing.filter(locality=offer.party_id).values("agreement_id"))
        .filter(pk__in=signing.filter(locality__in=place_ids).values("agreement_id"))
        .order_by("-signed_on", "-id")
    )


@transaction.atomic
def to_pledged_activity(offer, actor, *, agreement, activity_type, starts_on=None, **figures):
    """A pledged activity under `agreement` (one of shared_agreements), from the unit offering
    to the place in need, with the offer's figures unless `figures` (quantity, value_vnd) say
    otherwise. The activity's own rules apply (a figure, an unlocked year)."""
    offer = _convertible(offer, actor)
    need = offer.need
    if not shared_agreements(offer).filter(pk=agreement.pk).exists():
        raise ValidationError(
            {
                "agreement": _(
                    "Choose an agreement to which both the unit and the place are parties."
                )
            }
        )
    same_unit = activity_type.pk == need.activity_type_id
    activity = Activity(
        agreement=agreement,
        activity_type=activity_type,
        status=ActivityStatus.PLEDGED,
        giver=offer.party,
        recipient=need.locality,
        starts_on=starts_on or timezone.localdate(),
        quantity=figures.get("quantity", offer.quantity if same_unit else None),
        value_vnd=figures.get("value_vnd", offer.value_vnd),
        description=f"{need.title}. {offer.description}",
    )
    activity.full_clean()
    activity.save()
    offer.activity = activity
    offer.save(update_fields=["activity", "updated_at"])
    _taken_up(offer)
    return activity
