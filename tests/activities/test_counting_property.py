"""Every dashboard figure equals a plain recomputation from the raw rows (docs/counting.md).

On small random datasets (several givers and joint gifts, villages of a signing commune as
recipients, periods the chosen years cut, every qualifier, records without a quantity or a
value, pledged and delivered, funders, a dissolved commune succeeded by a ward, drafts and
published agreements, commitments in areas) and random filters, for each kind of reader (the
public, province staff, the staff of one commune), reports.dashboard, reports.locality_dashboard
and reports.coverage give the figures tests/activities/naive.py counts with loops and sets.
Then one dataset built by hand, with the numbers written out, for each reader, and the cases
found on the way.
"""

import datetime
from dataclasses import replace
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activities import reports
from activities.models import ActivityStatus, Funder, FunderKind, Qualifier
from agreements.models import CommitmentArea, Party, PartyRole
from localities.models import Locality, LocalityKind, Succession
from localities.scopes import Scope
from tests import factories
from tests.activities import naive

pytestmark = pytest.mark.django_db

D = datetime.date
MILLION = 1_000_000
TODAY = D(2026, 3, 1)
ALL = reports.DashboardFilters()
PUBLIC = "the public"
PROVINCE_STAFF = "province staff"


def reader_filters(filters, reader, w):
    """The filters as a reader asks them: the public (published only), province staff (every
    draft), or the staff of one commune (`reader` is its name in `w`: its drafts)."""
    if reader == PUBLIC:
        return replace(filters, include_drafts=False, drafts_scope=None)
    if reader == PROVINCE_STAFF:
        return replace(filters, include_drafts=True, drafts_scope=None)
    return replace(filters, include_drafts=True, drafts_scope=Scope(frozenset({w[reader].pk})))


def wrong_figures(filters, today, *, dashboard_of=None, what=""):
    """The figures of the dashboard, of a locality's dashboard and of the coverage table that
    differ from the ones counted plainly, each named: empty when all agree."""
    data = naive.read()
    wrong = [
        f"dashboard {what}: {difference}"
        for difference in naive.differences(
            naive.shown(reports.dashboard(filters, today)), naive.dashboard(filters, today, data)
        )
    ]
    shown_rows = naive.shown_coverage(reports.coverage(filters, today))
    counted_rows = naive.coverage(filters, today, data)
    if shown_rows != counted_rows:
        wrong.append(f"coverage {what}: shown {shown_rows!r}, counted plainly {counted_rows!r}")
    if dashboard_of is not None:
        wrong += [
            f"locality dashboard of {dashboard_of.name} {what}: {difference}"
            for difference in naive.differences(
                naive.shown_locality(reports.locality_dashboard(dashboard_of, filters, today)),
                naive.locality_dashboard(dashboard_of, filters, today, data),
            )
        ]
    return wrong


# --- a small world, and random data in it ----------------------------------------------------


def make_world():
    """A province; a former district; communes with ethnic-minority villages; a commune
    dissolved in 2025 and succeeded by a ward; a division and an agency."""
    w = {}
    w["province"] = factories.locality("Tỉnh Thử", kind=LocalityKind.PROVINCE)
    w["district"] = factories.locality(
        "Thành phố Cũ", kind=LocalityKind.DISTRICT, parent=w["province"]
    )
    w["c1"] = factories.locality("Xã Một", parent=w["province"])
    w["c2"] = factories.locality("Xã Hai", parent=w["province"])
    w["c3"] = factories.locality("Xã Ba", parent=w["district"])
    w["old"] = factories.locality("Xã Cũ", parent=w["district"], dissolved_on=D(2025, 7, 1))
    w["ward"] = factories.locality("Phường Mới", kind=LocalityKind.WARD, parent=w["province"])
    Succession.objects.create(predecessor=w["old"], successor=w["ward"])
    w["army"] = factories.locality("Sư đoàn Năm", kind=LocalityKind.MILITARY_UNIT)
    w["agency"] = factories.locality("Sở Thử", kind=LocalityKind.AGENCY, parent=w["province"])
    for name, parent, extra in (
        ("v1", "c1", {}),
        ("v2", "c1", {}),
        ("v3", "c3", {}),
        ("v4", "old", {}),
        ("gone", "c2", {"dissolved_on": D(2025, 7, 1)}),
        ("plain", "c2", {"is_ethnic_minority_area": False}),
    ):
        fields = {"is_ethnic_minority_area": True, **extra}
        w[name] = factories.locality(
            f"Làng {name}", kind=LocalityKind.VILLAGE, parent=w[parent], **fields
        )
    return w


SIGNERS = ["c1", "c2", "c3", "old", "ward", "army", "agency", "v1", "v3", "v4", "province"]
LOCALITIES = [*SIGNERS, "district", "v2", "gone", "plain"]
AREAS = ["doan-ket", "an-sinh-xa-hoi", "quoc-phong-an-ninh"]
TYPES = ["tien-mat", "qua-tang", "nha-o", "ngay-cong", "kham-chua-benh"]
QUALIFIERS = [Qualifier.EXACT, Qualifier.OVER, Qualifier.ABOUT, Qualifier.NEARLY]
# Who gave or received: a party of the agreement, a village of one of its signing communes,
# any unit, or (giver) no one named: the signing parties together.
PARTY_KINDS = [
    LocalityKind.COMMUNE,
    LocalityKind.WARD,
    LocalityKind.VILLAGE,
    LocalityKind.MILITARY_UNIT,
    LocalityKind.AGENCY,
]
SIDES = [None, "party 0", "party 1", "village", *LOCALITIES]

agreement_specs = st.fixed_dictionaries(
    {
        "signers": st.lists(st.sampled_from(SIGNERS), min_size=2, max_size=3, unique=True),
        "coordinator": st.one_of(st.none(), st.sampled_from(LOCALITIES)),
        "published": st.booleans(),
        "signed": st.one_of(st.none(), st.integers(2003, 2026)),
        "lasts": st.one_of(st.none(), st.integers(0, 15)),
        "areas": st.lists(st.sampled_from(AREAS), max_size=3),
    }
)
activity_specs = st.fixed_dictionaries(
    {
        "agreement": st.integers(0, 3),
        "type": st.sampled_from(TYPES),
        "status": st.sampled_from(ActivityStatus.values),
        "year": st.integers(2003, 2026),
        "span": st.sampled_from([None, 0, 1, 4, 20]),
        "quantity": st.one_of(st.none(), st.decimals(0, 500, places=2)),
        "value": st.one_of(st.none(), st.integers(0, 2000).map(lambda n: n * MILLION)),
        "quantity_qualifier": st.sampled_from(QUALIFIERS),
        "value_qualifier": st.sampled_from(QUALIFIERS),
        "giver": st.sampled_from(SIDES),
        "recipient": st.sampled_from(SIDES),
        "funder": st.one_of(st.none(), st.integers(0, 2)),
    }
)
datasets = st.fixed_dictionaries(
    {
        "agreements": st.lists(agreement_specs, min_size=1, max_size=4),
        "activities": st.lists(activity_specs, max_size=12),
    }
)
# Up to the year after this one: the agreements in force are then today's.
years = st.one_of(st.none(), st.integers(2003, TODAY.year + 1))
questions = st.fixed_dictionaries(
    {
        "year_from": years,
        "year_to": years,
        "locality": st.sampled_from([None, "province", "district", "c1", "old", "ward", "v1"]),
        "party_kind": st.sampled_from(["", *PARTY_KINDS]),
        "area": st.one_of(st.none(), st.sampled_from(AREAS)),
        "status": st.sampled_from(ActivityStatus.values),
        "dashboard_of": st.sampled_from(["province", "c1", "c3", "old", "ward", "v1", "army"]),
        "commune": st.sampled_from(["c1", "c3", "old", "ward"]),
    }
)


def make_agreements(w, specs):
    agreements = []
    for spec in specs:
        signed = spec["signed"]
        if signed is None and spec["published"]:
            signed = 2015  # a published agreement has a signing date
        signed_on = None if signed is None else D(signed, 5, 1)
        ended_on = None
        if signed_on is not None and spec["lasts"] is not None:
            ended_on = D(signed + spec["lasts"], 6, 30)
        agreement = factories.agreement(
            *(w[name] for name in spec["signers"]),
            published=spec["published"],
            signed_on=signed_on,
            ended_on=ended_on,
        )
        coordinator = spec["coordinator"]
        if coordinator is not None and coordinator not in spec["signers"]:
            Party.objects.create(
                agreement=agreement,
                locality=w[coordinator],
                role=PartyRole.COORDINATOR,
                position=9,
            )
        for slug in spec["areas"]:
            factories.commitment(agreement, CommitmentArea.objects.get(slug=slug))
        agreements.append((agreement, spec["signers"]))
    return agreements


def side(w, signers, name):
    if name is None:
        return None
    if name.startswith("party "):
        return w[signers[int(name[-1]) % len(signers)]]
    if name == "village":
        villages = Locality.objects.filter(
            kind=LocalityKind.VILLAGE, parent__in=[w[s] for s in signers]
        ).order_by("pk")
        return villages.first()
    return w[name]


def make_activities(w, agreements, specs, funders=None):
    """The activities of `specs`, with three funders made first (or the `funders` of an
    earlier call): returns the funders."""
    if funders is None:
        funders = [
            Funder.objects.create(name=name, kind=kind)
            for name, kind in (
                ("Công ty Thử Một", FunderKind.ENTERPRISE),
                ("Quỹ Thử Hai", FunderKind.ORGANISATION),
                ("Ông Thử Ba", FunderKind.INDIVIDUAL),
            )
        ]
    for spec in specs:
        agreement, signers = agreements[spec["agreement"] % len(agreements)]
        giver = side(w, signers, spec["giver"])
        recipient = side(w, signers, spec["recipient"])
        if giver is not None and giver == recipient:
            recipient = None
        quantity, value = spec["quantity"], spec["value"]
        if quantity is None and value is None:
            value = 5 * MILLION  # a record has a quantity, a value, or both
        starts_on = D(spec["year"], 7, 1)
        ends_on = None
        if spec["span"] is not None:
            ends_on = starts_on.replace(year=spec["year"] + spec["span"])
        factories.activity(
            agreement,
            spec["type"],
            status=spec["status"],
            starts_on=starts_on,
            ends_on=ends_on,
            quantity=quantity,
            value_vnd=value,
            quantity_qualifier=spec["quantity_qualifier"],
            value_qualifier=spec["value_qualifier"],
            giver=giver,
            recipient=recipient,
            funder=None if spec["funder"] is None else funders[spec["funder"]],
        )
    return funders


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(dataset=datasets, question=questions)
def test_every_figure_equals_a_plain_recomputation(dataset, question):
    """For random data and random filters, each reader's dashboards == naive.py's figures."""
    with transaction.atomic():
        w = make_world()
        agreements = make_agreements(w, dataset["agreements"])
        make_activities(w, agreements, dataset["activities"])
        first, last = question["year_from"], question["year_to"]
        if first is not None and last is not None and first > last:
            first, last = last, first  # the form refuses a first year after the last
        place = question["locality"]
        filters = reports.DashboardFilters(
            year_from=first,
            year_to=last,
            locality=None if place is None else Locality.objects.get(pk=w[place].pk),
            party_kind=question["party_kind"],
            area=(
                None
                if question["area"] is None
                else CommitmentArea.objects.get(slug=question["area"])
            ),
            status=question["status"],
        )
        dashboard_of = Locality.objects.get(pk=w[question["dashboard_of"]].pk)
        wrong = []
        for reader in (PUBLIC, PROVINCE_STAFF, question["commune"]):
            wrong += wrong_figures(
                reader_filters(filters, reader, w),
                TODAY,
                dashboard_of=dashboard_of,
                what=f"for {reader}, {question}",
            )
            wrong += wrong_figures(
                reader_filters(replace(filters, locality=None), reader, w),
                TODAY,
                what=f"for {reader}, the province, {question}",
            )
        transaction.set_rollback(True)
    assert not wrong, "\n".join(wrong)


# --- one dataset by hand ---------------------------------------------------------------------


@pytest.fixture
def hand():
    """A commune with two ethnic-minority villages; a commune dissolved in 2025 (its village
    kept) and the ward that succeeded it; a division. Three published agreements (one ended in
    2024), a draft of the commune and an undated draft of the ward."""
    w = {}
    w["province"] = factories.locality("Tỉnh Tay", kind=LocalityKind.PROVINCE)
    w["c1"] = factories.locality("Xã Một", parent=w["province"])
    w["old"] = factories.locality("Xã Cũ", parent=w["province"], dissolved_on=D(2025, 7, 1))
    w["ward"] = factories.locality("Phường Mới", kind=LocalityKind.WARD, parent=w["province"])
    Succession.objects.create(predecessor=w["old"], successor=w["ward"])
    w["army"] = factories.locality("Sư đoàn Tay", kind=LocalityKind.MILITARY_UNIT)
    for name, parent in (("v1", "c1"), ("v2", "c1"), ("v3", "old")):
        w[name] = factories.locality(
            f"Làng {name}",
            kind=LocalityKind.VILLAGE,
            parent=w[parent],
            is_ethnic_minority_area=True,
        )
    w["a1"] = factories.agreement(w["ward"], w["c1"], published=True, signed_on=D(2010, 5, 1))
    factories.commitment(w["a1"], CommitmentArea.objects.get(slug="doan-ket"))
    factories.commitment(w["a1"], CommitmentArea.objects.get(slug="doan-ket"), text="Lần nữa")
    w["a2"] = factories.agreement(w["army"], w["v1"], published=True, signed_on=D(2020, 1, 15))
    w["a3"] = factories.agreement(w["c1"], w["army"], signed_on=D(2022, 1, 1))
    w["a4"] = factories.agreement(
        w["old"], w["army"], published=True, signed_on=D(2012, 1, 1), ended_on=D(2024, 12, 31)
    )
    w["a5"] = factories.agreement(w["army"], w["ward"], signed_on=None)

    def give(agreement, slug, giver, recipient, on, millions=None, **fields):
        value = None if millions is None else millions * MILLION
        return factories.activity(
            w[agreement],
            slug,
            giver=giver,
            recipient=recipient,
            starts_on=on,
            value_vnd=value,
            **fields,
        )

    give("a1", "tien-mat", w["ward"], w["c1"], D(2012, 3, 1), 100)
    # Given jointly to a village of the signing commune: the ward's and the commune's.
    give(
        "a1",
        "nha-o",
        None,
        w["v1"],
        D(2011, 1, 1),
        200,
        ends_on=D(2015, 12, 31),
        quantity=5,
        value_qualifier=Qualifier.OVER,
    )
    give("a1", "tien-mat", w["ward"], w["c1"], D(2014, 6, 1), 300, status=ActivityStatus.PLEDGED)
    # Given jointly, to no one named: the division and the village; no value.
    give("a2", "qua-tang", None, None, D(2021, 2, 1), quantity=10, quantity_qualifier="about")
    give(
        "a4",
        "ngay-cong",
        w["army"],
        w["v3"],
        D(2013, 4, 1),
        50,
        quantity=30,
        quantity_qualifier=Qualifier.NEARLY,
        value_qualifier=Qualifier.NEARLY,
    )
    give("a3", "tien-mat", w["c1"], w["army"], D(2022, 3, 1), 1000)
    give("a5", "qua-tang", w["army"], w["ward"], D(2023, 3, 1), 20, quantity=20)
    return w


def ids(w, *names):
    return [w[name].pk for name in names]


def test_by_hand_for_the_public(hand):
    w = hand
    d = reports.dashboard(ALL, TODAY)
    assert d.agreements_in_force == 2  # a1, a2: a4 ended in 2024, a3 and a5 are drafts
    assert d.pairs_count == 3
    assert {p.agreement.pk for p in d.pairs} == set(ids(w, "a1", "a2", "a4"))
    assert d.localities_with_partner == 4  # ward, c1, army, v1
    assert d.minority_villages == reports.Coverage(with_partner=1, total=3)
    # 100 + over 200 + nearly 50: a mix, "about"; the gifts have no value.
    assert naive.shown_money(d.money) == {
        "value_vnd": 350 * MILLION,
        "over": 1,
        "about": 0,
        "nearly": 1,
        "unvalued": 1,
        "valued": 3,
        "qualifier": Qualifier.ABOUT,
    }
    assert [(t.slug, t.count, t.quantity, t.quantity_qualifier) for t in d.by_type] == [
        ("tien-mat", 1, None, Qualifier.EXACT),  # money only: no quantity given
        ("qua-tang", 1, Decimal(10), Qualifier.ABOUT),
        ("nha-o", 1, Decimal(5), Qualifier.EXACT),
        ("ngay-cong", 1, Decimal(30), Qualifier.NEARLY),
    ]
    assert [(b.label, b.activities) for b in d.by_year] == [
        ("2011\N{EN DASH}2015", 1),
        ("2012", 1),
        ("2013", 1),
        ("2021", 1),
    ]
    # The joint house is the ward's and the commune's; the joint gifts the division's and the
    # village's.
    assert [(t.locality.pk, t.activities, t.money.value_vnd) for t in d.top_givers] == [
        (w["ward"].pk, 2, 300 * MILLION),
        (w["c1"].pk, 1, 200 * MILLION),
        (w["army"].pk, 2, 50 * MILLION),
        (w["v1"].pk, 1, None),  # nothing valued: last
    ]
    assert [(t.locality.pk, t.money.value_vnd) for t in d.top_recipients] == [
        (w["v1"].pk, 200 * MILLION),
        (w["c1"].pk, 100 * MILLION),
        (w["v3"].pk, 50 * MILLION),
    ]
    bars = {bar.area.slug: bar for bar in d.by_area}
    assert (bars["doan-ket"].agreements, bars["doan-ket"].money.value_vnd) == (1, 300 * MILLION)
    assert not d.has_drafts

    # The ward has the dissolved commune's agreement, inherited, and its village's gift.
    d = reports.locality_dashboard(w["ward"], ALL, TODAY)
    assert (d.agreements_in_force, d.pairs_count, d.inherited_agreements) == (1, 2, 1)
    assert {(p.agreement.pk, p.inherited) for p in d.pairs} == {
        (w["a1"].pk, False),
        (w["a4"].pk, True),
    }
    assert d.money.value_vnd == 350 * MILLION
    assert d.given.money.value_vnd == 300 * MILLION  # its own 100, and the joint 200
    assert d.received.money.value_vnd == 50 * MILLION  # the old commune's village
    assert d.minority_villages == reports.Coverage(with_partner=0, total=1)

    rows = naive.shown_coverage(reports.coverage(ALL, TODAY))
    assert rows == [(w["old"].pk, ids(w, "v3"), 1, 1), (w["c1"].pk, ids(w, "v2"), 1, 2)]

    for filters in (ALL, replace(ALL, year_from=2012, year_to=2020)):
        assert not (
            wrong := wrong_figures(filters, TODAY, dashboard_of=w["ward"], what="for the public")
        ), "\n".join(wrong)


def test_by_hand_for_province_staff(hand):
    w = hand
    staff = reader_filters(ALL, PROVINCE_STAFF, w)
    d = reports.dashboard(staff, TODAY)
    assert d.agreements_in_force == 3  # a1, a2 and the draft a3; a5 has no signing date
    assert d.pairs_count == 4
    assert d.money.value_vnd == (350 + 1000 + 20) * MILLION
    assert d.has_drafts
    assert [t.locality.pk for t in d.top_givers][:2] == ids(w, "c1", "ward")

    d = reports.locality_dashboard(w["ward"], staff, TODAY)
    assert d.received.money.value_vnd == (50 + 20) * MILLION  # the undated draft's gift too
    assert d.has_drafts

    for filters in (staff, replace(staff, year_from=2021, status=ActivityStatus.PLEDGED)):
        assert not (
            wrong := wrong_figures(filters, TODAY, dashboard_of=w["c1"], what="for province staff")
        ), "\n".join(wrong)


def test_by_hand_for_the_staff_of_a_commune(hand):
    w = hand
    staff = reader_filters(ALL, "c1", w)
    d = reports.dashboard(staff, TODAY)
    assert d.agreements_in_force == 3  # a1, a2 and the commune's draft a3, not the ward's a5
    assert d.pairs_count == 4
    assert d.money.value_vnd == (350 + 1000) * MILLION
    assert d.has_drafts
    # The ward's staff see the ward's undated draft: not in force, not among the pairs, but its
    # gift is counted, and marked.
    ward_staff = reader_filters(ALL, "ward", w)
    d = reports.dashboard(ward_staff, TODAY)
    assert (d.agreements_in_force, d.pairs_count) == (2, 3)
    assert d.money.value_vnd == (350 + 20) * MILLION
    assert d.has_drafts

    for filters in (staff, ward_staff, replace(staff, year_to=2021)):
        assert not (
            wrong := wrong_figures(
                filters, TODAY, dashboard_of=w["v1"], what=f"for {filters.drafts_scope}"
            )
        ), "\n".join(wrong)


def test_past_eight_periods_the_smallest_share_a_bar(hand):
    """Docs/counting.md, section 4: at most 8 bars of periods; the smallest share the last."""
    w = hand
    for n in range(1, 9):  # 2004–2006 worth 1 million … 2011–2013 worth 8 million
        factories.activity(
            w["a1"],
            starts_on=D(2003 + n, 2, 1),
            ends_on=D(2005 + n, 2, 1),
            value_vnd=n * MILLION,
        )
    bars = [bar for bar in reports.dashboard(ALL, TODAY).by_year if bar.is_period]
    assert len(bars) == 8
    shared = bars[0]
    assert (shared.first_year, shared.last_year, shared.activities) == (2004, 2007, 2)
    assert shared.money.value_vnd == 3 * MILLION
    assert shared.label == "2 giai đoạn khác, 2004\N{EN DASH}2007"
    wrong = wrong_figures(ALL, TODAY, what="with nine periods")
    assert not wrong, "\n".join(wrong)


def test_the_staff_of_a_ward_do_not_see_the_drafts_of_the_commune_it_succeeded(hand):
    """Docs/counting.md, section 2: the staff of a commune see the drafts of agreements with a
    party in that commune (or below it). The dissolved commune lies beside the ward, not below
    it: its draft is not the ward staff's, though the ward's summary rows hold it."""
    w = hand
    draft = factories.agreement(w["old"], w["c1"], signed_on=D(2023, 1, 1))
    factories.activity(draft, "tien-mat", starts_on=D(2023, 6, 1), value_vnd=7 * MILLION)
    ward_staff = reader_filters(ALL, "ward", w)
    d = reports.dashboard(ward_staff, TODAY)
    assert d.agreements_in_force == 2  # a1, a2: the draft is not the ward staff's
    assert d.money.value_vnd == (350 + 20) * MILLION, "the ward's draft a5, not the old commune's"
    assert not (
        wrong := wrong_figures(
            ward_staff, TODAY, dashboard_of=w["ward"], what="for the ward's staff"
        )
    ), "\n".join(wrong)


def test_one_step_of_succession_is_followed(hand):
    """Docs/counting.md, section 1: "One succession step is followed". A unit that a dissolved
    unit had itself succeeded is not the successor's; its agreements and their activities are
    left out alike."""
    w = hand
    first = factories.locality("Xã Đầu", parent=w["province"], dissolved_on=D(2020, 1, 1))
    Succession.objects.create(predecessor=first, successor=w["old"])  # first → old → ward
    agreement = factories.agreement(first, w["army"], published=True, signed_on=D(2018, 1, 1))
    factories.activity(agreement, "tien-mat", starts_on=D(2019, 6, 1), value_vnd=9 * MILLION)
    d = reports.locality_dashboard(w["ward"], ALL, TODAY)
    assert (d.agreements_in_force, d.inherited_agreements, d.money.value_vnd) == (
        1,
        1,
        350 * MILLION,
    )
    d = reports.locality_dashboard(w["old"], ALL, TODAY)
    assert (d.agreements_in_force, d.inherited_agreements, d.money.value_vnd) == (
        1,
        1,
        (50 + 9) * MILLION,
    )
    assert not (
        wrong := wrong_figures(
            ALL, TODAY, dashboard_of=w["ward"], what="with two steps of succession"
        )
    ), "\n".join(wrong)


def test_a_draft_in_force_is_marked(hand):
    """Docs/counting.md, section 2: staff see the drafts in their charge, "always marked". With
    a first year after this one, the agreements in force are those of today: a draft in force
    today that ends before that year is counted among them, though not among the pairs."""
    w = hand
    factories.agreement(w["ward"], w["army"], signed_on=D(2024, 1, 1), ended_on=D(2026, 6, 30))
    staff = replace(reader_filters(ALL, PROVINCE_STAFF, w), locality=w["ward"], year_from=2027)
    d = reports.dashboard(staff, TODAY)
    public = reports.dashboard(replace(staff, include_drafts=False), TODAY)
    # a1, and for staff the draft ending in June; no pair but a1, no activity in 2027.
    assert (d.agreements_in_force, public.agreements_in_force) == (2, 1)
    assert (d.pairs_count, d.money.valued) == (1, 0)
    assert naive.dashboard(staff, TODAY)["has_drafts"]
    assert d.has_drafts, "a draft counted among the agreements in force, not marked"
