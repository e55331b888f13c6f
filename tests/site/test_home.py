import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def test_home_lists_published_agreements_only(client):
    factories.agreement(title="Xã Ia Dơk – Phường An Nhơn Bắc", published=True)
    factories.agreement(title="Bản nháp chưa duyệt")
    response = client.get("/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Xã Ia Dơk – Phường An Nhơn Bắc" in content
    assert "Bản nháp chưa duyệt" not in content
    assert '<html lang="vi">' in content
    assert "1 giao ước đã công bố" in content


@pytest.mark.parametrize("count", [1, 10])
def test_home_runs_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    for _ in range(count):
        factories.agreement(published=True)
    with django_assert_num_queries(2):
        assert client.get("/").status_code == 200


def test_security_headers(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_vietnamese_whatever_the_browser_asks_english_under_en(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="vi">' in response.content.decode()
    response = client.get("/en/", HTTP_ACCEPT_LANGUAGE="vi")
    content = response.content.decode()
    assert '<html lang="en">' in content
    assert "published agreement" in content


def test_home_counts_every_published_agreement_beyond_the_list(client):
    for _ in range(21):
        factories.agreement(published=True)
    assert "21 giao ước đã công bố" in client.get("/").content.decode()
