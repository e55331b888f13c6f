"""Public pages kept whole in the cache (ketnghia.pagecache): served without a query while the
data they show is unchanged, made afresh after a write that changes them (and only those),
never kept for someone signed in."""

from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.management import call_command
from django.db.models.deletion import Collector
from django.urls import reverse
from django.utils import timezone

from activities.figures import format_vnd_words
from activities.models import (
    Activity,
    ActivitySummary,
    Meeting,
    MeetingKind,
    Plan,
    PlanItem,
    TargetKind,
)
from activities.plans import approve
from agreements.models import Agreement, CommitmentArea
from agreements.services import publish_agreement
from ketnghia import pagecache, replicas
from localities import signals as registers
from localities.models import Locality, LocalityKind, StaffLocality, Succession
from tests import factories

pytestmark = pytest.mark.django_db

PAGES = ["/", "/giao-uoc/", "/thong-ke/", "/thong-ke/vung-dong-bao/"]


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


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
    assert made_for_this_request(queries)

    client.logout()
    client.cookies.clear()
    assert "Giao ước còn nháp" not in get(client, "/thong-ke/")


def made_for_this_request(queries):
    """The page was made, not served whole: its dashboard was looked for (and, a second time,
    read from its snapshot: activities.reports.snapshots)."""
    return any("activities_dashboardsnapshot" in q["sql"] for q in queries.captured_queries)


def test_the_generation_changes_again_after_the_commit(django_capture_on_commit_callbacks):
    before = pagecache.generation(pagecache.SITE)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        factories.locality("Thôn Mới", kind="village")
        during = pagecache.generation(pagecache.SITE)
    assert during > before
    assert callbacks
    assert pagecache.generation(pagecache.SITE) > during


def test_one_change_after_the_commit_however_many_rows(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        for n in range(3):
            factories.locality(f"Thôn Mới {n}", kind="village")
    assert [type(callback) for callback in callbacks] == [pagecache._AfterCommit]
    assert {"locality:thon-moi-0", "locality:thon-moi-2"} <= callbacks[0].tags


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
    assert made_for_this_request(queries)


# --- a write drops the pages it can change, and no other -------------------------------------


@pytest.fixture
def world():
    """Two published agreements between communes of one province, a commune with none."""
    province = factories.locality("Tỉnh Gia Lai", kind=LocalityKind.PROVINCE)
    ia_dok = factories.locality("Xã Ia Dơk", parent=province)
    an_nhon = factories.locality("Phường An Nhơn Bắc", kind=LocalityKind.WARD, parent=province)
    ours = factories.agreement(
        ia_dok, an_nhon, title="Giao ước Ia Dơk – An Nhơn Bắc", published=True
    )
    theirs = factories.agreement(
        factories.locality("Xã Ia Pnôn", parent=province),
        factories.locality("Xã Đức Cơ", parent=province),
        title="Giao ước Ia Pnôn – Đức Cơ",
        published=True,
    )
    return {
        "province": province,
        "ia_dok": ia_dok,
        "an_nhon": an_nhon,
        "elsewhere": factories.locality("Xã Ia Grai", parent=province),
        "ours": ours,
        "theirs": theirs,
    }


def locality_pages(*places):
    return [
        path
        for place in places
        for path in (f"/dia-phuong/{place.slug}/", f"/thong-ke/{place.slug}/")
    ]


def agreement_page(agreement):
    return f"/giao-uoc/{agreement.slug}/"


def assert_served_from_cache(client, django_assert_num_queries, paths):
    for path in paths:
        with django_assert_num_queries(0):
            get(client, path)


def assert_made_afresh(client, django_assert_max_num_queries, paths):
    for path in paths:
        with django_assert_max_num_queries(100) as queries:
            get(client, path)
        assert queries, f"{path} was served from the cache"


def test_an_activity_drops_the_pages_that_show_it_and_no_other(
    client, world, django_assert_num_queries, django_assert_max_num_queries
):
    shown = [
        agreement_page(world["ours"]),
        *locality_pages(world["ia_dok"], world["an_nhon"], world["province"]),
        "/thong-ke/",
        "/",
    ]
    others = [
        agreement_page(world["theirs"]),
        *locality_pages(world["elsewhere"], world["theirs"].parties.first().locality),
    ]
    for path in shown + others:
        get(client, path)

    factories.activity(world["ours"], value_vnd=30_000_000)

    assert_served_from_cache(client, django_assert_num_queries, others)
    assert_made_afresh(client, django_assert_max_num_queries, shown)
    money = format_vnd_words(30_000_000)
    assert money in get(client, "/thong-ke/")
    assert money in get(client, f"/thong-ke/{world['ia_dok'].slug}/")
    assert money not in get(client, f"/thong-ke/{world['elsewhere'].slug}/")


def test_an_activity_drops_the_pages_of_the_units_that_succeeded_its_parties(
    client, world, django_assert_num_queries, django_assert_max_num_queries
):
    """A ward formed by a merger shows the agreements of the communes merged into it."""
    ward = factories.locality("Phường Mới", kind=LocalityKind.WARD, parent=world["province"])
    Succession.objects.create(predecessor=world["ia_dok"], successor=ward)
    for path in locality_pages(ward, world["elsewhere"]):
        get(client, path)

    factories.activity(world["ours"])

    assert_served_from_cache(client, django_assert_num_queries, locality_pages(world["elsewhere"]))
    assert_made_afresh(client, django_assert_max_num_queries, locality_pages(ward))


def test_an_activity_given_to_another_unit_drops_the_first_ones_pages(
    client, world, django_assert_max_num_queries
):
    """What a write drops is read from the row as it was too."""
    first, second = world["elsewhere"], factories.locality("Xã Ia Ly", parent=world["province"])
    activity = factories.activity(world["ours"], recipient=first)
    pages = locality_pages(first, second)
    for path in pages:
        get(client, path)

    activity = Activity.objects.get(pk=activity.pk)
    activity.recipient = second
    activity.save()

    assert_made_afresh(client, django_assert_max_num_queries, pages)


def test_a_locality_renamed_drops_its_pages_and_those_naming_it(
    client, world, django_assert_num_queries
):
    ia_dok, theirs = world["ia_dok"], agreement_page(world["theirs"])
    for path in [*locality_pages(ia_dok), agreement_page(world["ours"]), theirs]:
        get(client, path)

    ia_dok.name = "Xã Ia Dơk Mới"
    ia_dok.save()

    for path in [*locality_pages(ia_dok), agreement_page(world["ours"])]:
        assert "Xã Ia Dơk Mới" in get(client, path), path
    assert_served_from_cache(client, django_assert_num_queries, [theirs])


def test_a_unit_with_units_below_it_renamed_drops_every_page(client, world):
    """Every page below it names it, in its breadcrumbs."""
    path = f"/dia-phuong/{world['elsewhere'].slug}/"
    assert "Tỉnh Gia Lai" in get(client, path)
    world["province"].name = "Tỉnh Gia Lai Mới"
    world["province"].save()
    assert "Tỉnh Gia Lai Mới" in get(client, path)


def test_an_agreement_whose_address_changes_is_gone_from_the_old_one(client, world):
    agreement = world["ours"]
    old = agreement_page(agreement)
    get(client, old)
    agreement.slug = "giao-uoc-ia-dok-an-nhon-bac"
    agreement.save()
    assert client.get(old).status_code == 404
    get(client, agreement_page(agreement))


def test_a_bulk_write_drops_every_page(
    client, world, django_assert_num_queries, django_assert_max_num_queries
):
    """Writes that bypass the models' signals announce themselves (localities.signals)."""
    pages = [agreement_page(world["theirs"]), *locality_pages(world["elsewhere"]), "/"]
    for path in pages:
        get(client, path)
    assert_served_from_cache(client, django_assert_num_queries, pages)

    registers.data_changed.send(sender=__name__)

    assert_made_afresh(client, django_assert_max_num_queries, pages)


def test_a_write_finds_what_it_drops_in_a_few_queries_and_none_with_the_cache_off(
    world, settings, django_assert_max_num_queries, django_assert_num_queries
):
    activity = factories.activity(world["ours"], giver=world["ia_dok"])

    def saved_again():
        pagecache._before_save(Activity, activity)
        pagecache._saved(Activity, activity)

    with django_assert_max_num_queries(4):
        saved_again()
    settings.PAGE_CACHE_SECONDS = 0
    with django_assert_num_queries(0):
        saved_again()


@pytest.mark.parametrize(
    ("address", "canonical"),
    [
        ("/?utm_source=zalo", "/"),
        ("/thong-ke/?fresh=1&year_from=2020", "/thong-ke/?year_from=2020"),
        (
            "/thong-ke/?locality=xa-ia-dok&locality=Ia+D%C6%A1k&junk=1",
            "/thong-ke/?locality=xa-ia-dok&locality=Ia+D%C6%A1k",
        ),
        ("/giao-uoc/?q=ia+dok&page=2&fbclid=x", "/giao-uoc/?q=ia+dok&page=2"),
        (
            "/thong-ke/vung-dong-bao/?page=2&status=pledged&x=1",
            "/thong-ke/vung-dong-bao/?page=2&status=pledged",
        ),
    ],
)
def test_an_address_with_parameters_the_page_does_not_read_is_sent_to_its_own(
    client, agreement, address, canonical
):
    response = client.get(address)
    assert response.status_code == 301
    assert response["Location"] == canonical
    assert client.get(canonical).status_code == 200


def test_junk_parameters_make_no_entry_in_the_cache(client, agreement):
    get(client, "/thong-ke/")
    kept = set(cache._cache)
    for n in range(20):
        assert client.get(f"/thong-ke/?junk={n}").status_code == 301
    assert set(cache._cache) == kept


def test_an_agreement_page_reads_its_page_number_only(client, agreement):
    path = f"/giao-uoc/{agreement.slug}/"
    assert client.get(f"{path}?page=1").status_code == 200
    response = client.get(f"{path}?page=1&x=%27")
    assert (response.status_code, response["Location"]) == (301, f"{path}?page=1")


def test_a_page_made_from_a_replica_is_kept_no_longer_than_a_writer_stays_on_the_primary(
    client, settings, monkeypatch
):
    """A replica's reads may predate a write committed a moment ago: the page they make must
    not outlive the write's drop of the pages by more than REPLICA_PIN_SECONDS."""
    settings.REPLICA_PIN_SECONDS = 10
    kept = {}

    def keep(key, value, timeout):
        if key.startswith(pagecache.KEY_PREFIX):  # not the dashboard's figures
            kept[key] = timeout

    monkeypatch.setattr(cache, "set", keep)
    monkeypatch.setattr(replicas, "reads_from_replica", lambda: True)
    get(client, "/giao-uoc/")
    monkeypatch.setattr(replicas, "reads_from_replica", lambda: False)
    get(client, "/thong-ke/")
    assert sorted(kept.values()) == [10, 600]


def test_a_plan_approved_drops_the_pages_that_show_or_count_it(
    client, world, django_assert_num_queries, django_assert_max_num_queries
):
    """The agreement's page and its localities' pages show the plan; the dashboards count it."""
    shown = [
        agreement_page(world["ours"]),
        *locality_pages(world["ia_dok"], world["an_nhon"], world["province"]),
        "/thong-ke/",
    ]
    others = [agreement_page(world["theirs"]), *locality_pages(world["elsewhere"])]
    for path in shown + others:
        get(client, path)
    plan = Plan.objects.create(agreement=world["ours"], year=timezone.localdate().year)
    PlanItem.objects.create(
        plan=plan,
        area=CommitmentArea.objects.order_by("position").first(),
        description="Giao lưu",
        target_kind=TargetKind.MILESTONE,
    )
    for path in shown + others:
        get(client, path)

    approve(plan, None)

    assert_served_from_cache(client, django_assert_num_queries, others)
    assert_made_afresh(client, django_assert_max_num_queries, shown)
    assert 'class="plan-line"' in get(client, f"/dia-phuong/{world['ia_dok'].slug}/")


def test_a_meeting_recorded_changes_the_dashboards_overdue_count(client, world):
    Agreement.objects.filter(pk=world["ours"].pk).update(meeting_every=6)
    overdue = "1 giao ước quá hạn họp đánh giá"
    assert overdue in get(client, "/thong-ke/")
    Meeting.objects.create(
        agreement=world["ours"], kind=MeetingKind.BRIEFING, held_on=timezone.localdate()
    )
    assert overdue not in get(client, "/thong-ke/")
    assert "0 giao ước quá hạn họp đánh giá" in get(client, "/thong-ke/")


def test_a_value_kept_is_read_in_one_round_trip_until_a_write(agreement, monkeypatch):
    """pagecache.kept (an admin list's count, the needs board's totals): computed once, then
    read with the generations in one call to the cache, and computed again after a write of
    the data the public pages show."""
    computed = []

    def compute():
        computed.append(1)
        return None if len(computed) == 1 else len(computed)  # None is a value too

    assert pagecache.kept("n", ("a",), compute) is None
    reads = []

    class Counted:
        """The cache, its reads counted: get_many only."""

        def get_many(self, keys):
            reads.append(keys)
            return cache.get_many(keys)

    with monkeypatch.context() as patched:
        patched.setattr(pagecache, "cache", Counted())
        assert pagecache.kept("n", ("a",), compute) is None
    assert (len(computed), len(reads)) == (1, 1)
    assert pagecache.kept("n", ("b",), compute) == 2  # another key
    agreement.title = "Giao ước kết nghĩa Ia Dơk – An Nhơn Bắc (sửa)"
    agreement.save()
    assert pagecache.kept("n", ("a",), compute) == 3
    assert pagecache.kept("n", ("a",), compute) == 3
    assert len(computed) == 3
    # Keyed by a model whose writes drop no page (a staff member's places): never kept.
    assert pagecache.kept("n", (StaffLocality, "a"), compute) == 4
    assert pagecache.kept("n", (StaffLocality, "a"), compute) == 5
    assert pagecache.kept("n", (Locality, "a"), compute) == 6
    assert pagecache.kept("n", (Locality, "a"), compute) == 6
