import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _vietnamese():
    """Every test starts in Vietnamese, the site's first language."""
    with translation.override("vi"):
        yield


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser(
        "quantri", "quantri@example.org", "mat-khau-thu-nghiem-9"
    )


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client
