"""The pure parts of `make bench` (bench/report.py): percentiles, the tables, the verdict."""

from collections import Counter

import pytest

from bench import report


def test_percentile_interpolates_between_ranks():
    assert report.percentile([4, 1, 3, 2], 50) == 2.5
    assert report.percentile(range(1, 101), 95) == pytest.approx(95.05)
    assert report.percentile([7], 95) == 7
    assert report.percentile([1, 2, 3], 0) == 1
    assert report.percentile([1, 2, 3], 100) == 3
    assert report.percentile([], 50) is None
    with pytest.raises(ValueError):
        report.percentile([1], 101)


def result(key, p50_ms, dashboard=False, base=False, errors=None, n=10, size=2048, **page):
    page = report.Page(key=key, label=key, path=f"/{key}/", dashboard=dashboard, base=base, **page)
    latencies = [] if p50_ms is None else [p50_ms / 1000] * n
    return report.Result(
        page=page,
        latencies=latencies,
        errors=Counter(errors or {}),
        seconds=2.0,
        sizes=[size] * len(latencies),
    )


def test_the_table_has_one_line_per_page_with_the_ratio_to_the_base_and_the_weight():
    table = report.format_table(
        [
            result("base", 2.0, base=True, size=10 * 1024),
            result("home", 5.0, size=1536),
            result("thong-ke", None, dashboard=True, errors={"HTTP 404": 10}),
        ]
    )
    lines = table.splitlines()
    assert lines[0].split() == [
        "page", "reader", "URL", "requests", "errors", "p50", "ms", "p95", "ms", "req/s",
        "p50/base", "KB",
    ]  # fmt: skip
    row = ["base", "anonymous", "/base/", "10", "0", "2.0", "2.0", "5.0", "1.00", "10.0"]
    assert lines[2].split() == row
    row = ["home", "anonymous", "/home/", "10", "0", "5.0", "5.0", "5.0", "2.50", "1.5"]
    assert lines[3].split() == row
    row = ["thong-ke", "anonymous", "/thong-ke/", "10", "10", "–", "–", "5.0", "–", "–"]
    assert lines[4].split() == row
    assert "errors on thong-ke (/thong-ke/): HTTP 404 x10" in table


def test_the_table_names_the_reader_and_shows_a_fresh_address():
    table = report.format_table(
        [
            result("base", 2.0, base=True),
            result("d_computed", 8.0, dashboard=True, computed=True, fresh=True),
            result("d_leader", 9.0, dashboard=True, computed=True, reader="commune leader"),
        ]
    )
    lines = table.splitlines()
    assert lines[3].split()[:4] == ["d_computed", "anonymous", "/d_computed/", "+cookie…"]
    assert lines[4].split()[:4] == ["d_leader", "commune", "leader", "/d_leader/"]


def test_the_weight_is_the_mean_body_of_the_answers_that_succeeded():
    r = result("home", 5.0)
    r.sizes = [1024, 3072]
    assert r.kb == 2.0
    assert r.max_kb == 3.0
    assert result("none", None).kb is None


def test_the_writer_pass_table_takes_the_base_of_the_main_pass():
    table = report.format_table([result("d", 9.0, dashboard=True)], base_p50=3.0)
    assert table.splitlines()[2].split()[8] == "3.00"


def test_the_verdict_passes_only_when_every_goal_is_met():
    base = result("base", 2.0, base=True)
    passed, reasons = report.verdict([base, result("d", 9.0, dashboard=True)])
    assert (passed, reasons) == (True, [])
    assert "PASS" in report.format_verdict(passed, reasons, compared=False)

    passed, reasons = report.verdict([base, result("d", 11.0, dashboard=True)])
    assert not passed
    assert reasons == ["d: p50 11.0 ms is 5.5x the base's (goal ≤ 5x)"]
    assert "FAIL" in report.format_verdict(passed, reasons, compared=False)

    # A page that answers 404 (a dashboard not there yet) is an error, never a pass.
    passed, reasons = report.verdict(
        [base, result("d", None, dashboard=True, errors={"HTTP 404": 10})]
    )
    assert not passed
    assert reasons == ["d: 10 errors of 10 requests", "d: no successful answer"]

    smaller = [result("base", 2.0, base=True), result("d", 6.0, dashboard=True)]
    assert report.verdict([base, result("d", 9.0, dashboard=True)], smaller) == (True, [])
    passed, reasons = report.verdict([base, result("d", 9.5, dashboard=True)], smaller)
    assert not passed
    assert reasons == ["d: p50 9.5 ms is 1.58x its p50 on the smaller data, 6.0 ms (goal ≤ 1.5x)"]


def test_the_computed_dashboards_of_every_reader_are_judged():
    base = result("base", 2.0, base=True)
    leader = {"computed": True, "reader": "commune leader"}
    passed, reasons = report.verdict(
        [
            base,
            result("d", 3.0, dashboard=True),
            result("d_computed", 9.0, dashboard=True, computed=True, fresh=True),
            result("d_leader", 12.0, dashboard=True, **leader),
        ],
        [
            result("base", 2.0, base=True),
            result("d", 3.0, dashboard=True),
            result("d_computed", 5.0, dashboard=True, computed=True, fresh=True),
            result("d_leader", 11.0, dashboard=True, **leader),
        ],
    )
    assert not passed
    assert reasons == [
        "d_leader (commune leader): p50 12.0 ms is 6.0x the base's (goal ≤ 5x)",
        "d_computed: p50 9.0 ms is 1.80x its p50 on the smaller data, 5.0 ms (goal ≤ 1.5x)",
    ]


def test_a_dashboard_missing_from_the_smaller_data_fails():
    base = result("base", 2.0, base=True)
    leader = result("d_leader", 4.0, dashboard=True, computed=True, reader="province officer")
    passed, reasons = report.verdict([base, leader], [result("base", 2.0, base=True)])
    assert not passed
    assert reasons == ["d_leader (province officer): not measured on the smaller data"]


def test_no_public_page_may_weigh_more_than_150_kb():
    base = result("base", 2.0, base=True)
    d = result("d", 3.0, dashboard=True)
    at_limit = result("list", 2.0, size=150 * 1024)
    assert report.verdict([base, d, at_limit]) == (True, [])

    heavy = result("list", 2.0, size=150 * 1024)
    heavy.sizes[-1] = 151 * 1024  # judged on its heaviest answer, not the mean
    assert report.verdict([base, d, heavy]) == (
        False,
        ["list: 151.0 KB of HTML (goal ≤ 150 KB)"],
    )

    # A signed-in reader's page is not a public one.
    signed_in = result("d_officer", 3.0, dashboard=True, reader="province officer", size=10**6)
    assert report.verdict([base, d, signed_in]) == (True, [])


def test_each_admin_page_is_judged_on_its_speed_and_its_weight():
    """Issue 16: an admin list or form, for a province officer, within 5x the base page's p50
    and at most 300 KB."""
    base = result("base", 2.0, base=True)
    d = result("d", 3.0, dashboard=True)
    officer = {"admin": True, "reader": "province officer"}
    fine = result("admin_list", 10.0, size=300 * 1024, **officer)
    assert report.verdict([base, d, fine]) == (True, [])

    slow = result("admin_list", 10.5, **officer)
    heavy = result("admin_form", 2.0, size=301 * 1024, **officer)
    silent = result("admin_search", None, **officer)
    assert report.verdict([base, d, slow, heavy, silent]) == (
        False,
        [
            "admin_list (province officer): p50 10.5 ms is 5.2x the base's (goal ≤ 5x)",
            "admin_form (province officer): 301.0 KB of HTML (goal ≤ 300 KB)",
            "admin_search (province officer): no successful answer",
        ],
    )


def test_errors_under_writes_and_of_the_writer_fail_the_verdict():
    main = [result("base", 2.0, base=True), result("d", 3.0, dashboard=True)]
    under = [result("d", 30.0, dashboard=True)]  # slower under writes: for information
    writer = report.WriterSummary(writes=50, latencies=[0.02] * 50, seconds=50.0)
    assert report.verdict(main, under_writes=under, writer=writer) == (True, [])

    under = [result("d", 30.0, dashboard=True, errors={"HTTP 500": 2})]
    writer = report.WriterSummary(
        writes=48, errors=Counter({"IntegrityError": 2}), first_error="IntegrityError: boom"
    )
    passed, reasons = report.verdict(main, under_writes=under, writer=writer)
    assert not passed
    assert reasons == [
        "d under writes: 2 errors of 12 requests",
        "the writer: 2 errors of 50 writes (first: IntegrityError: boom)",
    ]

    passed, reasons = report.verdict(main, under_writes=[], writer=report.WriterSummary())
    assert (passed, reasons) == (False, ["the writer wrote nothing"])


def test_the_verdict_line_names_every_goal():
    line = report.format_verdict(True, [], compared=True)
    assert line == (
        "Verdict: PASS (dashboards as served and computed, for every reader, ≤ 5x base p50 and "
        "≤ 1.5x their p50 on ten times less data; public pages ≤ 150 KB; zero errors, the "
        "writer pass included)."
    )
    line = report.format_verdict(False, ["d: slow"], compared=False, writer=False)
    assert line.splitlines()[1:] == ["  - d: slow"]
    assert "set COMPARE=0.1" in line
    assert "(no writer pass)" in line


def test_the_comparison_lists_each_dashboard_of_each_reader_on_both_datasets():
    results = [
        result("base", 2.0, base=True),
        result("d", 9.0, dashboard=True),
        result("d_officer", 900.0, dashboard=True, computed=True, reader="province officer"),
        result("home", 3.0),
    ]
    smaller = [
        result("base", 2.0, base=True),
        result("d", 6.0, dashboard=True),
        result("d_officer", 300.0, dashboard=True, computed=True, reader="province officer"),
    ]
    lines = report.format_comparison(results, smaller, "1", "0.1").splitlines()
    assert [line.split() for line in lines[1:]] == [
        ["d", "9.0", "6.0", "1.50"],
        ["d_officer", "(province", "officer)", "900.0", "300.0", "3.00"],
    ]


def test_the_writer_line_says_what_it_did():
    writer = report.WriterSummary.from_json(
        {
            "writes": 3,
            "errors": {"OperationalError": 1},
            "latencies": [0.01, 0.02, 0.03],
            "seconds": 4.2,
            "agreement": "Giao ước A",
            "first_error": "OperationalError: gone",
            "removed": 3,
        }
    )
    assert writer.removed == 3
    assert report.format_writer(writer) == (
        "writer: 3 activities added to «Giao ước A» in 4 s (p50 20.0 ms a write), 1 errors "
        "(OperationalError x1; first: OperationalError: gone); 3 removed afterwards"
    )


def test_a_fresh_page_has_a_session_cookie_of_its_own_for_each_request():
    fresh = report.Page(key="d", label="d", path="/thong-ke/?year_from=2020", fresh=True)
    assert fresh.headers_of("a-1") == {"Cookie": "sessionid=fresh-a-1"}
    assert fresh.headers_of("a-2") != fresh.headers_of("a-1")
    assert report.Page(key="d", label="d", path="/thong-ke/").headers_of("a-3") == {}


def test_the_search_is_judged_on_its_own_goal_in_milliseconds():
    """Issue 14: the site's search under SEARCH_LIMIT_MS at p50, whatever the base page."""
    base = result("base", 2.0, base=True)
    dashboard = result("thong-ke", 4.0, dashboard=True)
    limit = report.SEARCH_LIMIT_MS
    quick = result("search", limit - 1, fresh=True, computed=True, limit_ms=limit)
    passed, reasons = report.verdict([base, dashboard, quick])
    assert passed, reasons
    slow = result("search", limit + 20, fresh=True, computed=True, limit_ms=limit)
    passed, reasons = report.verdict([base, dashboard, slow])
    assert not passed
    assert reasons == [f"search: p50 {limit + 20:.1f} ms (goal < {limit:g} ms)"]
    # No answer is no pass.
    passed, reasons = report.verdict([base, dashboard, result("search", None, limit_ms=limit)])
    assert "search: no successful answer" in reasons
