"""Plain factory functions: each makes a valid object with the fewest arguments."""

import datetime
import itertools

from activities.models import (
    Activity,
    ActivityType,
    Funder,
    FunderKind,
    OutcomeIndicator,
    OutcomeValue,
    Plan,
    PlanItem,
    TargetKind,
)
from activities.plans import approve
from agreements.models import (
    Agreement,
    AgreementStatus,
    Commitment,
    CommitmentArea,
    LegalDocument,
    Party,
    PartyRole,
)
from localities.models import Locality, LocalityKind

_seq = itertools.count(1)


def locality(name=None, kind=LocalityKind.COMMUNE, **fields):
    n = next(_seq)
    return Locality.objects.create(name=name or f"Xã Thử Nghiệm {n}", kind=kind, **fields)


def agreement(
    *localities, title=None, published=False, signed_on=datetime.date(2025, 12, 27), **fields
):
    """An agreement between the given localities (two new communes when none are given)."""
    localities = localities or (locality(), locality())
    n = next(_seq)
    obj = Agreement.objects.create(
        title=title or f"Giao ước thử {n}", slug=f"giao-uoc-thu-{n}", signed_on=signed_on, **fields
    )
    for position, loc in enumerate(localities):
        Party.objects.create(agreement=obj, locality=loc, role=PartyRole.PARTY, position=position)
    if published:
        from agreements.services import publish_agreement

        obj = publish_agreement(obj, actor=None)
    return obj


def legal_document(number=None, **fields):
    """A directive of the province's party committee, e.g. "03-CT/TU"."""
    n = next(_seq)
    number = number or f"{n:02d}-CT/TU"
    fields = {
        "kind": "directive",
        "title": f"Chỉ thị {number}",
        "issuer": "Ban Thường vụ Tỉnh ủy",
        "issued_on": datetime.date(2025, 8, 7),
        "slug": f"chi-thi-{n}",
        **fields,
    }
    return LegalDocument.objects.create(number=number, **fields)


def commitment(agreement, area=None, text="Hỗ trợ nhau xây dựng Đảng bộ vững mạnh"):
    area = area or CommitmentArea.objects.order_by("position").first()
    return Commitment.objects.create(agreement=agreement, area=area, text=text)


def activity_type(slug="tien-mat"):
    return ActivityType.objects.get(slug=slug)


def funder(name=None, kind=FunderKind.ENTERPRISE, **fields):
    n = next(_seq)
    return Funder.objects.create(name=name or f"Công ty Thử Nghiệm {n}", kind=kind, **fields)


def activity(agreement, type_slug="tien-mat", **fields):
    """An activity of the agreement; ``funder`` a Funder (see funder()), as the model takes."""
    fields.setdefault("starts_on", datetime.date(2025, 12, 27))
    if "quantity" not in fields and "value_vnd" not in fields:
        fields["value_vnd"] = 30_000_000
    return Activity.objects.create(
        agreement=agreement, activity_type=activity_type(type_slug), **fields
    )


__all__ = [
    "AgreementStatus",
    "activity",
    "agreement",
    "commitment",
    "funder",
    "legal_document",
    "locality",
]


def approved_plan(agreement, year, description="Giao lưu"):
    """An annual plan of one task (a milestone) in the first commitment area, approved."""
    plan = Plan.objects.create(agreement=agreement, year=year)
    PlanItem.objects.create(
        plan=plan,
        area=CommitmentArea.objects.order_by("position").first(),
        description=description,
        target_kind=TargetKind.MILESTONE,
    )
    approve(plan, None)
    return plan


def outcome_value(locality, year=2025, value=10, **fields):
    """A value of the first indicator listed (the poverty rate) for a locality and a year."""
    fields.setdefault("indicator", OutcomeIndicator.objects.order_by("position", "pk").first())
    fields.setdefault("source", "Cục Thống kê")
    fields.setdefault("as_of", datetime.date(year, 12, 31))
    return OutcomeValue.objects.create(locality=locality, year=year, value=value, **fields)


def province_reader(username="lanh-dao-tinh", password="mat-khau-thu-nghiem-9"):
    """A province officer of the leaders' group (Lãnh đạo): may view every record of the
    province, change none. Made once per name, with the admin_user fixture's password."""
    from django.contrib.auth.models import Group, Permission, User

    user, created = User.objects.get_or_create(username=username, defaults={"is_staff": True})
    if created:
        user.set_password(password)
        user.save()
    user.groups.add(Group.objects.get(name="Lãnh đạo"))
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="localities", codename="whole_province")
    )
    return user


def staff(username, group=None, remit=None, *, whole=False, password=None, **fields):
    """A staff account of a role's group (activities 0006; none without `group`), in charge of
    `remit` (a locality) or, with `whole`, of the whole province; `fields` for the account
    (email, is_active)."""
    from django.contrib.auth.models import Group, Permission, User

    from localities.models import StaffLocality

    user = User.objects.create_user(username, password=password, is_staff=True, **fields)
    if group:
        user.groups.add(Group.objects.get(name=group))
    if remit is not None:
        StaffLocality.objects.create(user=user, locality=remit)
    if whole:
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label="localities", codename="whole_province")
        )
    return user
