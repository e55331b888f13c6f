"""Issue 16: the admin at national scale. What makes its pages cheaper must not change them:
each list's rows are Django's cells (localities.admin_rows), a reader's change page shows what
Django's shows (localities.admin_view), permissions follow every change at once
(ketnghia.permissions), and a list is counted with one bounded query (localities.admin_lists)."""

import datetime
import re
from html import unescape

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags import admin_list
from django.contrib.auth.models import Group, Permission, User
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy

from activities.models import Activity, Funder
from agreements.models import Agreement, Commitment, CommitmentArea
from ketnghia import permissions
from localities import admin_lists, admin_rows, admin_view
from localities.models import Locality
from tests import factories

LEADERS = "Lãnh đạo"
READ_ONLY_PAGE = "admin/readonly_change_form.html"


def template_names(response):
    return [template.name for template in response.templates]


def leader(username="lanh-dao-tinh"):
    return factories.province_reader(username)


def rendered_rows(rows):
    """Each row as the page shows it: its cells, one after the other."""
    return ["".join(str(cell) for cell in row) for row in rows]


def changelists(superuser, params):
    """(model, ChangeList) for every list of the admin, as the superuser asks for it."""
    for model, model_admin in admin.site._registry.items():
        request = RequestFactory().get("/", params)
        request.user = superuser
        if not model_admin.has_view_or_change_permission(request):
            continue
        cl = model_admin.get_changelist_instance(request)
        cl.formset = None
        yield model, cl


def _activity_list(superuser, params):
    """The activity list with a filter chosen (one of them an autocomplete's)."""
    request = RequestFactory().get("/", params)
    request.user = superuser
    cl = admin.site._registry[Activity].get_changelist_instance(request)
    assert cl.has_active_filters
    yield Activity, cl


@pytest.mark.usefixtures("demo")
class TestSeedArticles:
    @pytest.mark.parametrize(
        "params",
        [{}, {"o": "-1"}, {"_popup": "1"}, {"q": "ia"}],
        ids=["plain", "sorted", "popup", "searched"],
    )
    def test_every_lists_rows_are_the_cells_django_writes(self, admin_user, params):
        compared = 0
        for model, cl in changelists(admin_user, params):
            if cl.model_admin.list_editable:
                continue  # written by Django's own code (admin_rows.results)
            expected = rendered_rows(admin_list.results(cl))
            assert rendered_rows(admin_rows.results(cl)) == expected, model.__name__
            compared += bool(expected)
        # The seed articles fill most lists: agreements, activities, localities, events, ...
        assert compared >= 10

    def test_every_lists_table_is_the_markup_djangos_template_writes(self, admin_user):
        """The rows written whole (templates/admin/change_list_results.html given "rows") are
        the table Django's own change_list_results.html writes from its own result_list."""
        from pathlib import Path

        import django
        from django.template import Context, Template
        from django.template.loader import get_template

        from ketnghia.templatetags import admin_rows as admin_rows_tags

        original = Path(django.__file__).parent / "contrib/admin/templates/admin"
        djangos = Template((original / "change_list_results.html").read_text())
        ours = get_template("admin/change_list_results.html")
        compared = 0
        for model, cl in changelists(admin_user, {}):
            if cl.model_admin.list_editable:
                continue
            context = admin_rows_tags.result_list(cl)
            assert context["rows"] is not None
            expected = djangos.render(Context(admin_list.result_list(cl)))
            assert ours.render(context) == expected, model.__name__
            compared += bool(cl.result_list)
        assert compared >= 10

    def test_every_lists_filters_are_the_markup_djangos_templates_write(self, admin_user):
        """The sidebar's filters, written in Python (ketnghia.templatetags.admin_rows), are
        what Django's admin/filter.html and the project's admin/autocomplete_filter.html write,
        but for the spaces between tags."""
        from django.template.loader import get_template

        from ketnghia.templatetags import admin_rows as admin_rows_tags

        def tags(html):
            return re.sub(r">\s+", ">", re.sub(r"\s+<", "<", str(html))).strip()

        agreement = Agreement.objects.filter(activities__isnull=False).first()
        chosen = {"status__exact": "delivered", "agreement__id__exact": str(agreement.pk)}
        compared = set()
        lists = [*changelists(admin_user, {}), *_activity_list(admin_user, chosen)]
        for model, cl in lists:
            for spec in cl.filter_specs:
                if spec.template not in ("admin/filter.html", "admin/autocomplete_filter.html"):
                    continue
                expected = get_template(spec.template).render(
                    {"title": spec.title, "choices": list(spec.choices(cl)), "spec": spec}
                )
                written = admin_rows_tags.admin_list_filter(cl, spec)
                assert tags(written) == tags(expected), (model.__name__, spec.title)
                compared.add(spec.template)
        assert compared == {"admin/filter.html", "admin/autocomplete_filter.html"}

    def test_a_lists_links_keep_its_filters(self, admin_client):
        page = admin_client.get("/admin/activities/activity/", {"status__exact": "delivered"})
        links = re.findall(r'<th class="field-when[^"]*"><a href="([^"]+)"', page.content.decode())
        assert links
        assert all(
            re.fullmatch(
                r"/admin/activities/activity/\d+/change/\?_changelist_filters=status__exact%3D"
                r"delivered",
                unescape(link),
            )
            for link in links
        ), links

    def test_a_readers_change_page_shows_what_djangos_shows(self, client, monkeypatch):
        """For every record the seed articles made, as a province officer who may only read:
        the same headings, labels and values, in the same order, as Django's form-built page."""
        client.force_login(leader())
        pages = []
        for model, model_admin in admin.site._registry.items():
            obj = model._default_manager.order_by("pk").first()
            if obj is None or not isinstance(model_admin, admin_view.ReadOnlyViewMixin):
                continue
            url = reverse(
                f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk]
            )
            response = client.get(url)
            if response.status_code != 200:
                continue
            assert READ_ONLY_PAGE in template_names(response), model.__name__
            pages.append((model, url, response.content.decode()))
        assert {Agreement, Activity, Locality} <= {model for model, _url, _html in pages}
        # Django's page: the change view, which the admin's URLs hold bound, without the turn
        # it takes for a reader.
        with monkeypatch.context() as patched:
            patched.setattr(
                admin_view.ReadOnlyViewMixin,
                "readonly_view",
                lambda self, request, obj, *args: super(
                    admin_view.ReadOnlyViewMixin, self
                ).change_view(request, str(obj.pk), *args),
            )
            for model, url, html in pages:
                response = client.get(url)
                assert READ_ONLY_PAGE not in template_names(response)
                assert shown(html) == shown(response.content.decode()), model.__name__

    def test_the_agreement_page_of_a_reader_has_no_form_field(self, client):
        client.force_login(leader())
        agreement = Agreement.objects.get(title="Xã Ia Dơk – Phường An Nhơn Bắc")
        html = client.get(f"/admin/agreements/agreement/{agreement.pk}/change/").content.decode()
        assert not re.search(r"<(input|select|textarea)\b(?![^>]*csrfmiddlewaretoken)", html)
        for heading in ("Bên tham gia", "Nội dung cam kết", "Sự kiện", "Ảnh", "Nguồn tin"):
            assert f">{heading}</h2>" in html
        # The five commitment areas of the article, each a link to its record.
        assert html.count('href="/admin/agreements/commitmentarea/') >= 5
        assert "Chưa có." in html  # no programme recorded: said, not an empty table

    def test_an_editor_still_gets_the_form(self, admin_client):
        agreement = Agreement.objects.get(title="Xã Ia Dơk – Phường An Nhơn Bắc")
        response = admin_client.get(f"/admin/agreements/agreement/{agreement.pk}/change/")
        assert response.context["inline_admin_formsets"]
        assert 'name="title"' in response.content.decode()

    def test_a_reader_cannot_post_to_the_page(self, client):
        client.force_login(leader())
        agreement = Agreement.objects.get(title="Xã Ia Dơk – Phường An Nhơn Bắc")
        url = f"/admin/agreements/agreement/{agreement.pk}/change/"
        assert client.post(url, {"title": "Đổi tên"}).status_code == 403
        agreement.refresh_from_db()
        assert agreement.title == "Xã Ia Dơk – Phường An Nhơn Bắc"


def shown(html):
    """The headings, labels and values of a change page, in order, as text."""
    found = re.findall(
        r'<h[234][^>]*>(.*?)</h[234]>|<label[^>]*>(.*?)</label>|<div class="readonly">(.*?)'
        r'</div>|<td class="field-[^"]*"[^>]*>\s*<p>(.*?)</p>\s*</td>',
        html,
        re.DOTALL,
    )
    return [" ".join(re.sub(r"<[^>]+>", " ", "".join(parts)).split()) for parts in found]


@pytest.mark.parametrize(
    "shown",
    [
        "Xã Ia Dơk & <Phường>",
        "Dòng một\nDòng hai\r\nDòng <ba>\rbốn",
        "",
        SafeString('<a href="/admin/">Xã Ia Dơk</a>'),
        SafeString("<b>một</b>\nhai"),
        gettext_lazy("None recorded."),
        30_000_000,
        datetime.date(2025, 12, 1),
    ],
)
def test_a_read_only_cell_is_written_as_djangos(shown):
    """A read-only page's value, escaped and its line breaks made <br> in one pass for a value
    on one line: what AdminReadonlyField.contents writes (linebreaksbr, conditional_escape)."""
    from django.template.defaultfilters import linebreaksbr
    from django.utils.html import conditional_escape

    written = admin_view._with_line_breaks(shown)
    assert written == conditional_escape(linebreaksbr(shown))
    assert isinstance(written, SafeString)


@pytest.mark.django_db
def test_the_lists_across_agreements_read_a_page_not_every_row(admin_client):
    """Issue 16, the lists beside the activities at national scale: an agreement's parts
    newest first (an index's order, not a party's position sorted across 42,000), their years
    offered from the first and last day (not a pass for the years that occur), and the counts
    beside funders and needs read for the page's rows (not a GROUP BY of every activity)."""
    from activities.models import Need, Offer
    from agreements.models import Event, Party, Source

    first = factories.agreement(title="Giao ước thứ nhất")
    second = factories.agreement(title="Giao ước thứ hai")
    events = [
        Event.objects.create(
            agreement=first, kind="exchange", title=f"Giao lưu {year}", held_on=f"{year}-05-01"
        )
        for year in (2019, 2024, 2021)
    ]
    Source.objects.create(agreement=first, title="Bài cũ", published_on="2020-01-02")
    Source.objects.create(agreement=second, title="Bài mới", published_on="2025-03-04")
    paying = factories.funder("Doanh nghiệp Thử")
    idle = factories.funder("Quỹ Thử")
    for _ in range(3):
        factories.activity(first, funder=paying)
    need = Need.objects.create(
        locality=first.parties.first().locality,
        area=CommitmentArea.objects.first(),
        title="Sửa nhà văn hoá",
    )
    for party in second.parties.all():
        Offer.objects.create(need=need, party=party.locality, description="Ngày công")

    def listed(model, **params):
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(url, params)
        assert response.status_code == 200
        sql = " ".join(q["sql"] for q in queries)
        return response.context["cl"], response.content.decode(), sql

    cl, page, sql = listed(Event)
    assert list(cl.result_list) == sorted(events, key=lambda e: e.held_on, reverse=True)
    assert re.findall(r"\?year=(\d+)", page) == [str(y) for y in range(2024, 2018, -1)]
    assert "DISTINCT" not in sql
    cl, _page, _sql = listed(Event, year="2021")
    assert [event.title for event in cl.result_list] == ["Giao lưu 2021"]
    cl, _page, _sql = listed(Source)
    assert [source.title for source in cl.result_list] == ["Bài mới", "Bài cũ"]
    cl, _page, _sql = listed(Party)
    assert list(cl.result_list) == list(Party.objects.order_by("-id"))
    cl, page, sql = listed(Funder)
    counts = {funder.pk: funder.n_activities for funder in cl.result_list}
    assert counts[paying.pk] == 3 and counts[idle.pk] == 0
    assert f"?funder__id__exact={paying.pk}" in page
    assert 'GROUP BY "activities_funder"."id"' not in sql
    cl, _page, sql = listed(Need)
    assert [n.n_offers for n in cl.result_list] == [2]
    assert 'GROUP BY "activities_need"."id"' not in sql
    cl, page, sql = listed(Offer)
    assert len(cl.result_list) == 2 and "Ngày công" in page
    assert (
        '"agreements_agreement"' not in sql.split('FROM "activities_offer"')[0]
    )  # none looked for


@pytest.mark.django_db
def test_every_admin_pages_scripts_are_the_tags_django_writes(admin_client, settings):
    """The scripts and stylesheets of every list and add form, their tags kept by their files
    (ketnghia.admin_site.KeptMedia): the tags Django writes for the same media, in the same
    order, on the first page and the next; where static files are served from is heeded."""
    from django import forms

    from ketnghia.admin_site import KeptMedia

    def plain(media):
        copy = forms.Media()
        copy._css_lists, copy._js_lists = list(media._css_lists), list(media._js_lists)
        return copy

    pages = 0
    for model in admin.site._registry:
        opts = model._meta
        for view in ("changelist", "add"):
            try:
                url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}")
            except NoReverseMatch:  # an admin without that page
                continue
            response = admin_client.get(url)
            if response.status_code != 200:
                continue
            media = response.context_data["media"]
            assert isinstance(media, KeptMedia), url
            for _ in range(2):
                assert str(media) == str(plain(media)), url
                assert str(media["js"]) == str(plain(media)["js"]), url
                assert str(media["css"]) == str(plain(media)["css"]), url
            assert str(media["js"]) in response.content.decode(), url
            pages += 1
    assert pages >= 20
    settings.STATIC_URL = "/tinh/static/"
    response = admin_client.get(reverse("admin:activities_activity_changelist"))
    assert '<script src="/tinh/static/admin/js/' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["vi", "en"])
def test_an_autocomplete_filter_is_the_select_autocompleteselect_builds(admin_user, language):
    """The filter's <select>, its select2 attributes written once per field and language, has
    the attributes, in the order and with the values, that AutocompleteSelect.build_attrs
    gives them: the address of the autocomplete under the script prefix of the request."""
    from django.contrib.admin.widgets import AutocompleteSelect
    from django.forms.utils import flatatt
    from django.urls import set_script_prefix
    from django.utils import translation

    request = RequestFactory().get("/")
    request.user = admin_user
    compared = 0
    for prefix in ("/", "/ketnghia/"):
        set_script_prefix(prefix)
        try:
            with translation.override(language):
                cl = admin.site._registry[Activity].get_changelist_instance(request)
                for spec in cl.filter_specs:
                    if not isinstance(spec, admin_lists.AutocompleteFilter):
                        continue
                    widget = AutocompleteSelect(spec.field, admin.site)
                    name = f"filter_{spec.field_path}"
                    attrs = widget.build_attrs(
                        widget.attrs,
                        {
                            "name": name,
                            "id": name,
                            "data-filter-url": "?status=a&b",
                            "data-filter-param": spec.lookup_kwarg,
                            "aria-label": spec.title,
                        },
                    )
                    expected = f'<select{flatatt(attrs)}><option value="">—</option></select>'
                    assert spec.render_select("?status=a&b") == expected
                    url = reverse("admin:autocomplete")
                    assert url.startswith(prefix) and f'data-ajax--url="{url}"' in expected
                    assert f'lang="{language}"' in expected
                    compared += 1
        finally:
            set_script_prefix("/")
    assert compared == 8  # agreement, giver, recipient, funder; twice


@pytest.mark.django_db
def test_a_readers_page_costs_the_same_queries_for_three_rows_or_thirty(
    client, django_assert_max_num_queries
):
    client.force_login(leader())
    agreement = factories.agreement()
    areas = list(CommitmentArea.objects.all())
    url = f"/admin/agreements/agreement/{agreement.pk}/change/"
    counts = []
    for n in (3, 30):
        Commitment.objects.filter(agreement=agreement).delete()
        for i in range(n):
            factories.commitment(agreement, area=areas[i % len(areas)], text=f"Cam kết {i}")
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(counts[0]):
        client.get(url)


@pytest.mark.django_db
def test_a_readers_page_keeps_its_related_rows_until_the_data_changes(client, settings):
    """With the shared cache, an agreement's related rows are read once, then kept until a
    write the public pages show: a commitment added or an area renamed is on the page at
    once, in each language, and another agreement's page is its own."""
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    client.force_login(leader())
    agreement, other = factories.agreement(), factories.agreement()
    factories.commitment(agreement, text="Cam kết thứ nhất")
    url = f"/admin/agreements/agreement/{agreement.pk}/change/"

    def page(prefix=""):
        with CaptureQueriesContext(connection) as queries:
            html = client.get(prefix + url).content.decode()
        read = sum('FROM "agreements_commitment"' in q["sql"] for q in queries)
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html), read

    first, read = page()
    assert "Cam kết thứ nhất" in first and read == 1
    assert page() == (first, 0)
    settings.ADMIN_LIST_KEEPER = None
    assert page() == (first, 1)  # the page made without the cache is the same
    settings.ADMIN_LIST_KEEPER = "ketnghia.pagecache.kept"
    factories.commitment(agreement, text="Cam kết thứ hai")
    html, read = page()
    assert "Cam kết thứ hai" in html and read == 1
    area = CommitmentArea.objects.get(pk=agreement.commitments.first().area_id)
    area.name, area.name_en = "Lĩnh vực đổi tên", "Renamed area"
    area.save()
    assert "Lĩnh vực đổi tên" in page()[0]
    english, read = page("/en")
    assert "Renamed area" in english and read == 1
    assert page("/en") == (english, 0)
    other_page = client.get(f"/admin/agreements/agreement/{other.pk}/change/").content.decode()
    assert "Cam kết thứ" not in other_page
    cache.clear()


@pytest.mark.django_db
def test_permissions_are_read_from_the_database_once_then_follow_every_change(client, settings):
    settings.PERMISSION_CACHE_SECONDS = 60  # as with Redis: the tests' cache is the process's
    user = leader("can-bo-xa")
    client.force_login(user)
    url = "/admin/activities/activity/"
    assert client.get(url).status_code == 200

    def permission_queries():
        with CaptureQueriesContext(connection) as queries:
            status = client.get(url).status_code
        return status, sum("auth_permission" in q["sql"] for q in queries)

    assert permission_queries() == (200, 0)  # kept from the request before
    # Out of the group: refused at once, not when the kept set expires.
    user.groups.clear()
    assert permission_queries()[0] == 403
    # A group's permission taken away reaches its members at once too.
    user.groups.add(Group.objects.get(name=LEADERS))
    assert permission_queries() == (200, 2)
    view = Permission.objects.get(content_type__app_label="activities", codename="view_activity")
    Group.objects.get(name=LEADERS).permissions.remove(view)
    assert permission_queries()[0] == 403
    # An account made inactive is refused at once, even with a set kept.
    Group.objects.get(name=LEADERS).permissions.add(view)
    assert permission_queries()[0] == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert client.get(url).status_code == 302  # signed out: inactive accounts are not served


@pytest.mark.django_db
def test_a_permission_read_before_the_change_commits_is_not_kept(
    settings, django_capture_on_commit_callbacks
):
    """A request between the change and its commit reads the permissions of before: what it
    keeps is under a version the commit replaces."""
    settings.PERMISSION_CACHE_SECONDS = 60
    user = leader("can-bo-huyen")
    backend = permissions.CachedPermissionsBackend()
    assert backend.has_perm(User.objects.get(pk=user.pk), "activities.view_activity")
    with django_capture_on_commit_callbacks(execute=True):
        user.groups.clear()
        # Another request, outside this transaction, reads the rows of before and keeps them
        # under the version of the moment.
        version = cache.get(permissions.VERSION_KEY)
        stale = ((version, False), set(), {"activities.view_activity"})
        cache.set(permissions._key(user), stale)
    assert cache.get(permissions.VERSION_KEY) != version
    assert not backend.has_perm(User.objects.get(pk=user.pk), "activities.view_activity")


def test_without_a_shared_cache_permissions_are_read_every_time(db, settings):
    settings.PERMISSION_CACHE_SECONDS = 0
    user = leader("can-bo-thon")
    backend = permissions.CachedPermissionsBackend()
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert backend.has_perm(User.objects.get(pk=user.pk), "activities.view_activity")
        assert sum("auth_permission" in q["sql"] for q in queries) == 2


@pytest.mark.django_db
def test_a_short_list_is_counted_with_one_query(monkeypatch):
    monkeypatch.setattr(admin_lists, "ESTIMATE_FROM", 3)
    agreement = factories.agreement()
    first = factories.activity(agreement)
    factories.activity(agreement)
    one = admin_lists.EstimatedCountPaginator(Activity.objects.filter(pk=first.pk), 2)
    with CaptureQueriesContext(connection) as queries:
        assert (one.count, one.estimated) == (1, False)
    assert len(queries) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["vi", "en"])
def test_each_large_list_costs_the_same_queries_for_three_rows_or_thirty(
    admin_client, language, django_assert_max_num_queries
):
    """A list reads only the fields its columns show (LargeListMixin.list_only): a column that
    read one left out would cost a query a row."""
    parent = factories.locality("Tỉnh Thử Nghiệm", kind="province")
    lists = {
        "/admin/activities/activity/": lambda: factories.activity(
            factories.agreement(),
            type_slug="nha-o",
            quantity=2,
            quantity_qualifier="over",
            value_vnd=100_000_000,
            giver=factories.locality(parent=parent),
            recipient=factories.locality(parent=parent),
        ),
        "/admin/agreements/agreement/": lambda: factories.agreement(),
        "/admin/localities/locality/": lambda: factories.locality(parent=parent),
    }
    prefix = "/en" if language == "en" else ""
    for url, make in lists.items():
        counts = []
        for total in (3, 30):
            while _rows(admin_client, prefix + url) < total:
                make()
            with CaptureQueriesContext(connection) as queries:
                assert admin_client.get(prefix + url).status_code == 200
            counts.append(len(queries))
        assert counts[0] == counts[1], (url, counts)
        with django_assert_max_num_queries(counts[0]):
            admin_client.get(prefix + url)


def _rows(client, url):
    return client.get(url).context["cl"].result_count
