"""Public pages kept whole in the cache (ketnghia.pagecache): served without a query while the
data is unchanged, made afresh after any write, never kept for someone signed in."""

from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.management import call_command
from django.db.models.deletion import Collector
from django.urls import reverse

from activities.figures import format_vnd_words
from activities.models import ActivitySummary
from agreements.models import Agreement
from agreements.services import publish_agreement
from ketnghia import pagecache
from localities.models import Locality
from tests import factories

pytestmark = pytest.mark.django_db

PAGES = ["/", "/giao-uoc/", "/thong-ke/", "/thong-ke/vung-dong-bao/"]


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def agreement():
    return factories.agreement(
        factories.locality("Xã Ia Dơk"),
        factories.locality("Phường An Nhơn Bắc", kind="ward"),
        title="Giao ước Ia Dơk – An Nhơn Bắc",
        published=True,
    )


def get(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


@pytest.mark.parametrize("path", PAGES)
def test_a_page_seen_again_costs_no_query(client, agreement, django_assert_num_queries, path):
    first = get(client, path)
    with django_assert_num_queries(0):
        again = get(client, path)
    assert again == first


def test_every_public_page_of_an_agreement_is_kept(client, agreement, django_assert_num_queries):
    locality = Locality.objects.get(name="Xã Ia Dơk")
    paths = [
        reverse("agreements:detail", args=[agreement.slug]),
        reverse("localities:detail", args=[locality.slug]),
        reverse("dashboards:locality", args=[locality.slug]),
    ]
    for path in paths:
        get(client, path)
    for path in paths:
        with django_assert_num_queries(0):
            get(client, path)


def test_a_write_shows_at_once(client, agreement):
    assert "Giao ước Ia Dơk – An Nhơn Bắc" in get(client, "/giao-uoc/")
    agreement.title = "Giao ước Ia Dơk và An Nhơn Bắc"
    agreement.save()
    page = get(client, "/giao-uoc/")
    assert "Giao ước Ia Dơk và An Nhơn Bắc" in page
    assert "Giao ước Ia Dơk – An Nhơn Bắc" not in page


def test_an_activity_added_changes_the_figures(client, agreement):
    assert format_vnd_words(30_000_000) not in get(client, "/thong-ke/")
    factories.activity(agreement, value_vnd=30_000_000)
    assert format_vnd_words(30_000_000) in get(client, "/thong-ke/")
    Agreement.objects.get(pk=agreement.pk).activities.get().delete()
    assert format_vnd_words(30_000_000) not in get(client, "/thong-ke/")


def test_a_missing_page_is_not_kept(client):
    draft = factories.agreement(title="Giao ước mới")
    path = reverse("agreements:detail", args=[draft.slug])
    assert client.get(path).status_code == 404
    publish_agreement(draft, actor=None)
    assert "Giao ước mới" in get(client, path)


def test_each_language_has_its_own_page(client, agreement):
    assert 'lang="vi"' in get(client, "/thong-ke/")
    assert 'lang="en"' in get(client, "/en/thong-ke/")
    assert 'lang="vi"' in get(client, "/thong-ke/")


def test_pages_of_someone_signed_in_are_made_for_them(
    client, agreement, django_user_model, django_assert_max_num_queries
):
    """Province staff see drafts on the dashboards: neither served from the cache nor kept."""
    factories.agreement(title="Giao ước còn nháp")
    staff = django_user_model.objects.create_user("canbo", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="whole_province"))
    assert "Giao ước còn nháp" not in get(client, "/thong-ke/")  # kept, for the public

    client.force_login(staff)
    assert "Giao ước còn nháp" in get(client, "/thong-ke/")
    with django_assert_max_num_queries(100) as queries:
        assert "Giao ước còn nháp" in get(client, "/thong-ke/")
    assert len(queries) > 10

    client.logout()
    client.cookies.clear()
    assert "Giao ước còn nháp" not in get(client, "/thong-ke/")


def test_the_generation_changes_again_after_the_commit(django_capture_on_commit_callbacks):
    before = pagecache.generation()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        factories.locality("Thôn Mới", kind="village")
        during = pagecache.generation()
    assert during > before
    assert callbacks
    assert pagecache.generation() > during


def test_one_change_after_the_commit_however_many_rows(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        for n in range(3):
            factories.locality(f"Thôn Mới {n}", kind="village")
    assert callbacks == [pagecache._next_generation]


def test_the_summary_rows_are_deleted_in_one_statement():
    """No receiver on the derived rows: rebuild_summaries deletes a million of them at once."""
    assert Collector(using="default").can_fast_delete(ActivitySummary.objects.all())


def test_an_emptied_cache_never_repeats_a_generation():
    before = pagecache.generation()
    cache.clear()
    assert pagecache.generation() > before


def test_the_bulk_rebuild_of_the_summaries_changes_the_generation(client, agreement):
    before = pagecache.generation()
    call_command("rebuild_summaries", stdout=StringIO())
    assert pagecache.generation() > before


def test_off_when_no_seconds_are_set(client, agreement, settings, django_assert_max_num_queries):
    settings.PAGE_CACHE_SECONDS = 0
    get(client, "/thong-ke/")
    with django_assert_max_num_queries(100) as queries:
        get(client, "/thong-ke/")
    assert len(queries) > 10
