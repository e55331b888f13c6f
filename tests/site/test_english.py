"""A partner abroad reads the site in English (/en/): the reference data the pages show (types of
support and their units, commitment areas, kinds of locality and party, roles, statuses) in
English, and the Vietnamese free text (names, titles, descriptions) marked as Vietnamese."""

import re
from html.parser import HTMLParser

import pytest
from django.utils import translation

from activities.models import ActivityStatus, ActivityType, Qualifier
from agreements.models import (
    Agreement,
    AgreementStatus,
    CommitmentArea,
    EventKind,
    LegalDocumentKind,
    PartyRole,
)
from localities.models import LocalityKind
from tests import factories

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class VisibleText(HTMLParser):
    """The text a reader sees in <main> and the footer, without what is marked lang="vi"."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []  # (tag, is Vietnamese, is shown)
        self.parts = []

    def _inside(self, test):
        return any(test(entry) for entry in self.stack)

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        attrs = dict(attrs)
        shown = tag in {"main", "footer"}
        self.stack.append((tag, tag != "html" and attrs.get("lang") == "vi", shown))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        hidden = self._inside(lambda e: e[1] or e[0] in {"script", "style"})
        if self._inside(lambda e: e[2]) and not hidden:
            self.parts.append(data)

    @classmethod
    def of(cls, html):
        parser = cls()
        parser.feed(html)
        return " ".join(" ".join(parser.parts).split())


def vietnamese_labels():
    """Each label of the reference data in Vietnamese that differs from its English, read from the
    tables and the choices themselves."""
    labels = set()
    for activity_type in ActivityType.objects.all():
        labels |= {
            (activity_type.name, activity_type.name_en),
            (activity_type.unit, activity_type.unit_en),
        }
    labels |= {(area.name, area.name_en) for area in CommitmentArea.objects.all()}
    for choices in (
        LocalityKind,
        PartyRole,
        AgreementStatus,
        ActivityStatus,
        EventKind,
        LegalDocumentKind,
        Qualifier,
    ):
        for choice in choices:
            with translation.override("vi"):
                vi = str(choice.label)
            with translation.override("en"):
                en = str(choice.label)
            labels.add((vi, en))
    return {vi for vi, en in labels if vi and vi.lower() != en.lower()}


def found(labels, text):
    """The labels `text` holds as words (case aside: "xã" inside a sentence is the label too)."""
    return sorted(
        label
        for label in labels
        if re.search(rf"(?<!\w){re.escape(label)}(?!\w)", text, flags=re.IGNORECASE)
    )


@pytest.mark.usefixtures("demo")
@pytest.mark.django_db
class TestEnglishPages:
    def pages(self):
        agreement = Agreement.objects.published().order_by("signed_on").last()
        return [
            "/en/",
            f"/en/giao-uoc/{agreement.slug}/",
            "/en/thong-ke/",
            "/en/thong-ke/xa-ia-dok/",
            "/en/du-lieu/",
        ]

    def test_the_reference_tables_have_english_names(self):
        assert not ActivityType.objects.filter(name_en="").exists()
        assert not CommitmentArea.objects.filter(name_en="").exists()
        assert ActivityType.objects.get(slug="nha-o").unit_en == "houses"

    @pytest.mark.parametrize("index", range(5))
    def test_no_vietnamese_reference_label_outside_vietnamese_text(self, client, index):
        path = self.pages()[index]
        response = client.get(path)
        assert response.status_code == 200
        text = VisibleText.of(response.content.decode())
        labels = vietnamese_labels()
        assert {"Quà tặng", "suất", "Xã", "An sinh xã hội"} <= labels  # the check bites
        assert found(labels, text) == [], path

    def test_the_same_pages_in_vietnamese_show_the_vietnamese_labels(self, client):
        """The check above would not pass by showing nothing."""
        text = VisibleText.of(client.get("/thong-ke/").content.decode())
        assert {"Quà tặng", "Hỗ trợ tiền", "An sinh xã hội"} <= set(
            found(vietnamese_labels(), text)
        )
        english = VisibleText.of(client.get("/en/thong-ke/").content.decode())
        assert "Gifts" in english and "Social welfare" in english and "Cash support" in english

    def test_vietnamese_free_text_is_marked_as_such(self, client):
        agreement = Agreement.objects.published().order_by("signed_on").last()
        html = client.get(f"/en/giao-uoc/{agreement.slug}/").content.decode()
        assert f'<h1><span lang="vi">{agreement.title}</span></h1>' in html
        activity = agreement.activities.exclude(description="").first()
        assert f'<span lang="vi">{activity.description}</span>' in html
        # On the Vietnamese page, nothing to mark: the page is Vietnamese.
        html = client.get(f"/giao-uoc/{agreement.slug}/").content.decode()
        assert f"<h1>{agreement.title}</h1>" in html

    def test_a_type_without_an_english_name_is_shown_in_vietnamese_marked_as_such(self, client):
        agreement = Agreement.objects.published().order_by("signed_on").last()
        seeds = ActivityType.objects.create(
            name="Giống cà phê", slug="giong-ca-phe", unit="cây", measure="count"
        )
        factories.activity(agreement, type_slug="giong-ca-phe", quantity=500, value_vnd=None)
        html = client.get(f"/en/giao-uoc/{agreement.slug}/").content.decode()
        assert '<th scope="row"><span lang="vi">Giống cà phê</span></th>' in html
        assert f'<span lang="vi">{seeds.name}</span>' in html  # in the timeline too
        # Its unit inside a figure, in the timeline, its total and the total row: marked.
        assert html.count('500\xa0<span lang="vi">cây</span>') == 3
        text = VisibleText.of(html)
        assert found(vietnamese_labels(), text) == []
        vietnamese = client.get(f"/giao-uoc/{agreement.slug}/").content.decode()
        assert '<th scope="row">Giống cà phê</th>' in vietnamese
        assert "500\xa0cây" in vietnamese and '<span lang="vi">cây' not in vietnamese

    def test_an_english_title_and_summary_are_shown_on_the_english_page(self, client):
        agreement = Agreement.objects.published().order_by("signed_on").last()
        agreement.title_en = "Ia Dok commune and An Nhon Bac ward"
        agreement.summary_en = "The two signed in September 2025."
        agreement.save()
        html = client.get(f"/en/giao-uoc/{agreement.slug}/").content.decode()
        assert "<h1>Ia Dok commune and An Nhon Bac ward</h1>" in html
        assert "<title>Ia Dok commune and An Nhon Bac ward" in html
        assert '<div class="lead"><p>The two signed in September 2025.</p></div>' in html
        listed = client.get("/en/giao-uoc/").content.decode()
        assert ">Ia Dok commune and An Nhon Bac ward</a>" in listed
        vietnamese = client.get(f"/giao-uoc/{agreement.slug}/").content.decode()
        assert f"<h1>{agreement.title}</h1>" in vietnamese
        assert "Ia Dok commune" not in vietnamese

    def test_one_of_a_unit_reads_in_the_singular(self, client):
        """ "1 houses" read on the English pages: a type's unit for one is used when the quantity
        is exactly 1, in an activity's figure and in a total; Vietnamese has one form."""
        agreement = factories.agreement(published=True)
        factories.activity(agreement, type_slug="nha-o", quantity=1, value_vnd=None)
        factories.activity(agreement, type_slug="sua-chua-duong", quantity=1, value_vnd=None)
        page = f"/en/giao-uoc/{agreement.slug}/"
        html = client.get(page).content.decode()
        assert "1\xa0house" in html and "1\xa0houses" not in html  # figure and total
        assert "1\xa0km" in html  # a unit without a form for one
        assert "1\xa0house · 1\xa0km</td>" in html  # the total of each unit
        factories.activity(agreement, type_slug="nha-o", quantity=1, value_vnd=None)
        html = client.get(page).content.decode()
        assert "1\xa0house<" in html or "1\xa0house " in html  # each activity
        assert "2\xa0houses" in html  # their total
        assert "2\xa0houses · 1\xa0km</td>" in html
        vietnamese = client.get(f"/giao-uoc/{agreement.slug}/").content.decode()
        assert "1\xa0căn" in vietnamese and "2\xa0căn" in vietnamese

    def test_a_unit_is_marked_by_its_own_language_and_read_for_one_only_in_english(self, client):
        """A type named in English whose unit is not: the unit marked in the totals too; an
        English unit for one without an English plural is not used (never "1 house", "2
        căn"); two types of one unit total in the singular when one of them has the form."""
        agreement = factories.agreement(published=True)
        seedlings = ActivityType.objects.create(
            name="Giống cà phê", name_en="Coffee seedlings", slug="giong", unit="cây"
        )
        huts = ActivityType.objects.create(
            name="Nhà tạm", name_en="Huts", slug="nha-tam", unit="căn", unit_en_one="hut"
        )
        sheds = ActivityType.objects.create(
            name="Lán", name_en="Sheds", slug="lan", unit="chiếc", unit_en="houses"
        )
        factories.activity(agreement, type_slug=seedlings.slug, quantity=7, value_vnd=None)
        factories.activity(agreement, type_slug=huts.slug, quantity=1, value_vnd=None)
        factories.activity(agreement, type_slug=sheds.slug, quantity=None, value_vnd=5_000)
        factories.activity(agreement, type_slug="nha-o", quantity=1, value_vnd=None)
        html = client.get(f"/en/giao-uoc/{agreement.slug}/").content.decode()
        assert html.count('7\xa0<span lang="vi">cây</span>') == 3  # timeline, total, total row
        assert '1\xa0<span lang="vi">căn</span>' in html and "hut" not in html
        assert "1\xa0house ·" in html or "· 1\xa0house<" in html  # sheds and houses summed
        assert "1\xa0houses" not in html
