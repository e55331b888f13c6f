"""bench.readers: the bench's signed-in readers, and sessions that sign them in without a login."""

import json

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from bench import readers
from localities.models import StaffLocality
from localities.scopes import scope_of
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_readers_are_leaders_with_the_commune_or_the_province_in_their_charge():
    commune, other = factories.locality(), factories.locality()
    users = readers.ensure(commune)
    leader, officer = users["commune_leader"], users["province_officer"]
    for user in (leader, officer):
        assert user.is_staff and user.is_active and not user.is_superuser
        assert not user.has_usable_password()
        assert list(user.groups.values_list("name", flat=True)) == [readers.LEADERS]
    assert not leader.has_perm("localities.whole_province")
    assert list(StaffLocality.objects.filter(user=leader).values_list("locality", flat=True)) == [
        commune.pk
    ]
    assert scope_of(leader).covers(commune) and not scope_of(leader).covers(other)
    officer = get_user_model().objects.get(pk=officer.pk)  # permissions are cached per object
    assert officer.has_perm("localities.whole_province")
    assert scope_of(officer).is_whole


def test_ensure_puts_back_what_an_earlier_run_or_a_hand_changed():
    commune, other = factories.locality(), factories.locality()
    users = readers.ensure(other)
    leader = users["commune_leader"]
    leader.is_staff = False
    leader.save()
    StaffLocality.objects.create(user=users["province_officer"], locality=other)

    users = readers.ensure(commune)
    assert get_user_model().objects.filter(username__startswith="bench-").count() == 2
    assert users["commune_leader"].pk == leader.pk
    assert get_user_model().objects.get(pk=leader.pk).is_staff
    assert list(StaffLocality.objects.values_list("user__username", "locality")) == [
        ("bench-lanh-dao-xa", commune.pk)
    ]


def test_a_session_opened_for_a_reader_signs_it_in(client):
    commune = factories.locality()
    users = readers.ensure(commune)
    assert client.get("/admin/").status_code == 302  # nobody signed in: to the login page

    key = readers.open_session(users["commune_leader"])
    name, value = readers.cookie_header(key).split("=")
    assert name == settings.SESSION_COOKIE_NAME
    client.cookies[name] = value
    response = client.get("/admin/")
    assert response.status_code == 200
    assert response.context["user"].username == "bench-lanh-dao-xa"


def test_main_prints_a_cookie_for_each_reader(capsys):
    commune = factories.locality()
    readers.main(commune.slug)
    line = capsys.readouterr().out.strip()
    assert line.startswith(readers.PREFIX)
    found = json.loads(line.removeprefix(readers.PREFIX))
    assert found["check_path"] == "/admin/"
    assert {r["label"]: r["username"] for r in found["readers"].values()} == {
        "commune leader": "bench-lanh-dao-xa",
        "province officer": "bench-can-bo-tinh",
    }
    cookies = {r["cookie"] for r in found["readers"].values()}
    assert len(cookies) == 2
    assert all(c.startswith(f"{settings.SESSION_COOKIE_NAME}=") for c in cookies)
