import pytest

from tests import factories


@pytest.mark.django_db
def test_factories_make_a_publishable_agreement():
    agreement = factories.agreement(published=True)
    assert agreement.is_published
    assert agreement.parties.count() == 2
