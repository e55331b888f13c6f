from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from agreements.models import Agreement
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def run(settings, debug):
    settings.DEBUG = debug
    out = StringIO()
    call_command("first_run", stdout=out)
    return out.getvalue()


def test_empty_database_gets_the_demo_and_an_administrator_once(settings, media):
    output = run(settings, debug=True)
    assert Agreement.objects.published().count() == 3
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser
    password = output.split("mật khẩu: ")[1].split()[0]
    assert admin.check_password(password)
    again = run(settings, debug=True)
    assert "mật khẩu" not in again
    assert get_user_model().objects.count() == 1


def test_no_administrator_without_debug(settings, media):
    output = run(settings, debug=False)
    assert "mật khẩu" not in output
    assert not get_user_model().objects.exists()


def test_existing_data_is_left_alone(settings, media):
    factories.agreement(title="Giao ước đã có")
    run(settings, debug=False)
    assert list(Agreement.objects.values_list("title", flat=True)) == ["Giao ước đã có"]
