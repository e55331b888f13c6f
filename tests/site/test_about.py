"""The about page: what the site is, and how many agreements it publishes, in one query."""

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("count", [1, 20])
def test_one_query_whatever_the_data(client, django_assert_num_queries, count):
    for _ in range(count):
        factories.agreement(published=True)
    factories.agreement()  # a draft is not counted
    with django_assert_num_queries(1):
        response = client.get("/gioi-thieu/")
    assert response.status_code == 200
    assert f"{count} giao ước được công bố trên trang này." in response.content.decode()


def test_in_english_and_linked_from_every_page(client):
    response = client.get("/en/gioi-thieu/")
    assert "About this site" in response.content.decode()
    assert 'href="/gioi-thieu/"' in client.get("/").content.decode()
    assert "/gioi-thieu/" in client.get("/sitemap-pages.xml").content.decode()
