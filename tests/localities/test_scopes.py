"""Scopes: which localities, and so which agreements, a staff account works on."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission

from agreements.models import Agreement, PartyRole
from localities.models import LocalityKind, StaffLocality
from localities.scopes import WHOLE, Scope, scope_of
from tests import factories

pytestmark = pytest.mark.django_db

ADMINISTRATOR, EDITOR = "Quản trị tỉnh", "Cán bộ nhập liệu"


@pytest.fixture
def units():
    """Province P → commune A → village VA; province P → commune B; a military unit."""
    province = factories.locality("Tỉnh Thử", kind=LocalityKind.PROVINCE)
    a = factories.locality("Xã A", parent=province)
    b = factories.locality("Xã B", parent=province)
    return {
        "province": province,
        "a": a,
        "village_a": factories.locality("Làng A", kind=LocalityKind.VILLAGE, parent=a),
        "b": b,
        "village_b": factories.locality("Làng B", kind=LocalityKind.VILLAGE, parent=b),
        "unit": factories.locality("Sư đoàn Thử", kind=LocalityKind.MILITARY_UNIT),
    }


def covered(scope, units):
    return {name for name, unit in units.items() if scope.covers(unit)}


@pytest.fixture
def staff(django_user_model):
    def make(*remits, groups=(), **fields):
        user = django_user_model.objects.create_user(
            f"canbo-{django_user_model.objects.count()}", is_staff=True, **fields
        )
        user.groups.add(*Group.objects.filter(name__in=groups))
        for locality in remits:
            StaffLocality.objects.create(user=user, locality=locality)
        return user

    return make


def test_a_communes_remit_covers_its_villages(units):
    scope = Scope(frozenset({units["a"].pk}))
    assert covered(scope, units) == {"a", "village_a"}


def test_a_provinces_remit_covers_its_communes_and_their_villages(units):
    scope = Scope(frozenset({units["province"].pk}))
    assert covered(scope, units) == {"province", "a", "village_a", "b", "village_b"}


def test_a_villages_remit_covers_the_village_only(units):
    assert covered(Scope(frozenset({units["village_a"].pk})), units) == {"village_a"}


def test_remits_add_up(units):
    scope = Scope(frozenset({units["village_a"].pk, units["b"].pk}))
    assert covered(scope, units) == {"village_a", "b", "village_b"}


def test_agreements_within_a_scope_have_a_party_in_it(units):
    of_village_a = factories.agreement(units["village_a"], units["unit"])
    of_b = factories.agreement(units["b"], units["unit"])
    of_nobody = factories.agreement(units["unit"], factories.locality())
    within = Agreement.objects.within
    assert set(within(Scope(frozenset({units["a"].pk})))) == {of_village_a}
    assert set(within(Scope(frozenset({units["province"].pk})))) == {of_village_a, of_b}
    assert set(within(WHOLE)) == {of_village_a, of_b, of_nobody}


def test_a_coordinating_party_brings_its_agreement_into_scope(units):
    agreement = factories.agreement(units["b"], units["unit"])
    agreement.parties.create(locality=units["village_a"], role=PartyRole.COORDINATOR, position=2)
    assert list(Agreement.objects.within(Scope(frozenset({units["a"].pk})))) == [agreement]


def test_an_agreement_with_two_parties_in_scope_is_listed_once(units):
    agreement = factories.agreement(units["a"], units["village_a"])
    assert list(Agreement.objects.within(Scope(frozenset({units["a"].pk})))) == [agreement]


def test_no_remit_is_nothing(units, staff):
    factories.agreement(units["a"], units["unit"])
    scope = scope_of(staff(groups=[EDITOR]))
    assert scope == Scope(frozenset())
    assert not scope.is_whole
    assert covered(scope, units) == set()
    assert not Agreement.objects.within(scope).exists()


def test_the_whole_province_permission_and_superusers_are_everything(units, staff):
    factories.agreement(units["unit"], factories.locality())
    holder = staff(units["a"])  # a remit does not narrow the permission
    holder.user_permissions.add(Permission.objects.get(codename="whole_province"))
    for user in (holder, staff(groups=[ADMINISTRATOR]), staff(is_superuser=True)):
        scope = scope_of(user)
        assert scope.is_whole, user
        assert covered(scope, units) == set(units)
        assert Agreement.objects.within(scope).count() == Agreement.objects.count()


@pytest.mark.parametrize("kind", ["remit", "whole_province", "superuser"])
def test_an_inactive_account_has_nothing(units, staff, kind):
    user = staff(
        *([units["a"]] if kind == "remit" else []),
        groups=[ADMINISTRATOR] if kind == "whole_province" else [],
        is_superuser=kind == "superuser",
        is_active=False,
    )
    scope = scope_of(user)
    assert scope == Scope(frozenset())
    assert covered(scope, units) == set()


def test_an_anonymous_visitor_has_nothing(units):
    assert scope_of(AnonymousUser()) == Scope(frozenset())


def test_no_unit_is_in_a_limited_scope_and_every_unit_is_in_the_whole(units):
    assert not Scope(frozenset({units["a"].pk})).covers(None)
    assert not Scope(frozenset()).covers(units["a"])
    assert WHOLE.covers(None)


def test_the_scope_is_read_with_one_query_and_kept_on_the_user(
    units, staff, django_assert_num_queries, django_user_model
):
    user = django_user_model.objects.get(pk=staff(units["a"], units["b"], groups=[EDITOR]).pk)
    user.get_all_permissions()  # Django's own permission cache, filled by any admin page
    with django_assert_num_queries(1):
        scope = scope_of(user)
    assert scope == Scope(frozenset({units["a"].pk, units["b"].pk}))
    with django_assert_num_queries(0):
        assert scope_of(user) is scope
    # another object for the same account (another request) reads it again
    again = django_user_model.objects.get(pk=user.pk)
    again.get_all_permissions()
    with django_assert_num_queries(1):
        assert scope_of(again) == scope


def test_a_whole_province_scope_costs_no_query_beyond_the_permissions(
    staff, django_assert_num_queries, django_user_model
):
    user = django_user_model.objects.get(pk=staff(groups=[ADMINISTRATOR]).pk)
    user.get_all_permissions()
    with django_assert_num_queries(0):
        assert scope_of(user) is WHOLE
        assert scope_of(user) is WHOLE
    with django_assert_num_queries(0):
        assert WHOLE.covers(None)
