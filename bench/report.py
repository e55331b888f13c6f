"""The pure parts of `make bench`: percentiles, the tables and the verdict (tested without a
server, in tests/bench/test_report.py)."""

import math
from collections import Counter
from dataclasses import dataclass, field, fields

# The goals of issue 4, "Scale and speed".
DASHBOARD_LIMIT = 5.0  # a dashboard's p50 at most this many times the base page's
# Issue 16: each admin list and form, for a province officer, within DASHBOARD_LIMITx the base
# page's p50 too, and at most this heavy.
ADMIN_WEIGHT_LIMIT_KB = 300
# Issue 14: the site's search, made for each request, under this p50 at national scale.
SEARCH_LIMIT_MS = 100
# Issue 14: the needs board, made for each request (a page of needs filtered), under this p50.
NEEDS_LIMIT_MS = 100
SMALLER_DATA_LIMIT = 1.5  # a dashboard's p50 at most this many times its own on 10x less data
WEIGHT_LIMIT_KB = 150  # the HTML of a public page (nobody signed in), at most
KB = 1024  # bytes
ANONYMOUS = "anonymous"  # the reader of a page requested without a session


def percentile(values, p):
    """The p-th percentile (0–100) by linear interpolation between the closest ranks (the
    method of numpy's default and of spreadsheets' PERCENTILE); None for no values."""
    if not values:
        return None
    if not 0 <= p <= 100:
        raise ValueError("p must be between 0 and 100")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


# The session cookie's name: Django's default, which ketnghia.settings keeps.
SESSION_COOKIE = "sessionid"


@dataclass
class Page:
    """One page to measure: `key` names it across runs, `dashboard` puts it under the goals."""

    key: str
    label: str
    path: str
    dashboard: bool = False
    base: bool = False
    fresh: bool = False  # each request with a cookie of its own: never from the page cache
    computed: bool = False  # a dashboard made for each request (fresh, or for someone signed in)
    admin: bool = False  # an admin list or form (issue 16's goals)
    reader: str = ""  # who is signed in ("commune leader"…); "" for nobody
    limit_ms: float = 0.0  # a p50 goal in milliseconds of its own (the search's, issue 14)

    def headers_of(self, token):
        """A request's headers (on top of its reader's); `token` tells fresh requests apart.

        A fresh request carries a session cookie that names no session: the page cache keeps
        and serves pages for visitors without one only, so the page is made for this request,
        for an anonymous visitor (the session is looked up and not found). The address stays the
        page's own: ketnghia.pagecache sends addresses with parameters it does not know to the
        address without them."""
        return {"Cookie": f"{SESSION_COOKIE}=fresh-{token}"} if self.fresh else {}

    @property
    def shown_path(self):
        return f"{self.path} +cookie…" if self.fresh else self.path

    @property
    def reader_label(self):
        return self.reader or ANONYMOUS

    @property
    def name(self):
        """The page and, when someone is signed in, who: how the verdict names a row."""
        return f"{self.label} ({self.reader})" if self.reader else self.label


@dataclass
class Result:
    page: Page
    latencies: list = field(default_factory=list)  # seconds, answers 2xx only
    errors: Counter = field(default_factory=Counter)  # "HTTP 404", "ConnectionResetError"…
    seconds: float = 0.0  # wall time of the run
    sizes: list = field(default_factory=list)  # bytes of each 2xx answer's body

    @property
    def requests(self):
        return len(self.latencies) + sum(self.errors.values())

    @property
    def error_count(self):
        return sum(self.errors.values())

    def p(self, q):
        value = percentile(self.latencies, q)
        return None if value is None else value * 1000

    @property
    def rate(self):
        return self.requests / self.seconds if self.seconds else None

    @property
    def kb(self):
        """The mean body of the 2xx answers, in KB (None without one)."""
        return sum(self.sizes) / len(self.sizes) / KB if self.sizes else None

    @property
    def max_kb(self):
        return max(self.sizes) / KB if self.sizes else None


@dataclass
class WriterSummary:
    """What the writer of the writer pass did (bench.writer prints it as JSON)."""

    writes: int = 0
    errors: Counter = field(default_factory=Counter)  # by kind of exception
    latencies: list = field(default_factory=list)  # seconds per write, successful ones
    seconds: float = 0.0
    agreement: str = ""
    first_error: str = ""
    removed: int = 0  # its activities deleted afterwards

    @classmethod
    def from_json(cls, data):
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        return cls(**{**values, "errors": Counter(data.get("errors", {}))})

    @property
    def error_count(self):
        return sum(self.errors.values())

    def p(self, q):
        value = percentile(self.latencies, q)
        return None if value is None else value * 1000


def base_of(results):
    return next((r for r in results if r.page.base), None)


def ratio(value, base):
    if value is None or not base:
        return None
    return value / base


def _number(value, digits=1):
    return "–" if value is None else f"{value:,.{digits}f}"


def format_table(results, base_p50=None):
    """One line per page: page, reader, URL, requests, errors, p50 ms, p95 ms, req/s,
    p50/base, KB (the mean body). `base_p50`: the base page's p50 when `results` lack it (the
    writer pass)."""
    if base_p50 is None:
        base = base_of(results)
        base_p50 = base.p(50) if base else None
    header = (
        "page", "reader", "URL", "requests", "errors", "p50 ms", "p95 ms", "req/s", "p50/base",
        "KB",
    )  # fmt: skip
    rows = [
        (
            r.page.label,
            r.page.reader_label,
            r.page.shown_path,
            str(r.requests),
            str(r.error_count),
            _number(r.p(50)),
            _number(r.p(95)),
            _number(r.rate),
            _number(ratio(r.p(50), base_p50), 2),
            _number(r.kb),
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    left = {0, 1, 2}  # text columns; figures align right

    def line(cells):
        return "  ".join(
            cell.ljust(w) if i in left else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    lines = [line(header), line(["-" * w for w in widths])]
    lines.extend(line(row) for row in rows)
    for r in results:
        if r.errors:
            kinds = ", ".join(f"{kind} x{n}" for kind, n in sorted(r.errors.items()))
            lines.append(f"  errors on {r.page.name} ({r.page.path}): {kinds}")
    return "\n".join(lines)


def format_writer(writer):
    """One line: what the writer of the writer pass did."""
    text = (
        f"writer: {writer.writes} activities added to «{writer.agreement}» in "
        f"{writer.seconds:.0f} s (p50 {_number(writer.p(50))} ms a write), "
        f"{writer.error_count} errors"
    )
    if writer.errors:
        kinds = ", ".join(f"{kind} x{n}" for kind, n in sorted(writer.errors.items()))
        text += f" ({kinds}; first: {writer.first_error})"
    if writer.removed:
        text += f"; {writer.removed} removed afterwards"
    return text


def format_comparison(results, smaller, scale, smaller_scale):
    """Each dashboard's p50 on the full data against the smaller data, for each reader."""
    by_key = {r.page.key: r for r in smaller}
    dashboards = [r for r in results if r.page.dashboard]
    width = max((len(r.page.name) for r in dashboards), default=0) + 1
    header = (
        f"{'dashboard':<{width}} {'p50 ms @' + str(scale):>14} "
        f"{'p50 ms @' + str(smaller_scale):>14}"
    )
    lines = [header + f" {'ratio':>7}"]
    for r in dashboards:
        other = by_key.get(r.page.key)
        small = other.p(50) if other else None
        lines.append(
            f"{r.page.name:<{width}} {_number(r.p(50)):>14} {_number(small):>14}"
            f" {_number(ratio(r.p(50), small), 2):>7}"
        )
    return "\n".join(lines)


def _against_base(r, base_p50):
    """The reasons a page misses the speed goal: no answer, or a p50 past DASHBOARD_LIMITx the
    base page's."""
    p50 = r.p(50)
    if p50 is None:
        return [f"{r.page.name}: no successful answer"]
    if base_p50 is not None and p50 > DASHBOARD_LIMIT * base_p50:
        return [
            f"{r.page.name}: p50 {p50:.1f} ms is {p50 / base_p50:.1f}x the base's "
            f"(goal ≤ {DASHBOARD_LIMIT:g}x)"
        ]
    return []


def verdict(results, smaller=None, under_writes=None, writer=None):
    """(passed, reasons). The goals: zero errors anywhere (the smaller data and the writer pass,
    its writes included); each dashboard (as served, and computed for each reader) within
    DASHBOARD_LIMITx the base page's p50; with `smaller` (the same pages on ten times less
    data), within SMALLER_DATA_LIMITx its own p50 there; no public page (nobody signed in)
    heavier than WEIGHT_LIMIT_KB; each admin page within DASHBOARD_LIMITx the base page's p50
    and no heavier than ADMIN_WEIGHT_LIMIT_KB; a page with a goal of its own (the search,
    SEARCH_LIMIT_MS) under it. A goal that could not be measured fails."""
    reasons = []
    for run in (results, smaller or [], under_writes or []):
        for r in run:
            if r.errors:
                where = " under writes" if run is under_writes else ""
                reasons.append(
                    f"{r.page.name}{where}: {r.error_count} errors of {r.requests} requests"
                )
    if writer is not None:
        if writer.errors:
            reasons.append(
                f"the writer: {writer.error_count} errors of "
                f"{writer.writes + writer.error_count} writes (first: {writer.first_error})"
            )
        elif not writer.writes:
            reasons.append("the writer wrote nothing")
    base = base_of(results)
    base_p50 = base.p(50) if base else None
    if base_p50 is None:
        reasons.append("the base page gave no answer: no ratio can be measured")
    dashboards = [r for r in results if r.page.dashboard]
    if not dashboards:
        reasons.append("no dashboard was measured")
    for r in dashboards:
        reasons += _against_base(r, base_p50)
    for r in (r for r in results if r.page.admin):
        reasons += _against_base(r, base_p50)
        heaviest = r.max_kb
        if heaviest is not None and heaviest > ADMIN_WEIGHT_LIMIT_KB:
            reasons.append(
                f"{r.page.name}: {heaviest:,.1f} KB of HTML (goal ≤ {ADMIN_WEIGHT_LIMIT_KB:g} KB)"
            )
    for r in (r for r in results if r.page.limit_ms):
        p50 = r.p(50)
        if p50 is None:
            reasons.append(f"{r.page.name}: no successful answer")
        elif p50 > r.page.limit_ms:
            reasons.append(f"{r.page.name}: p50 {p50:.1f} ms (goal < {r.page.limit_ms:g} ms)")
    for r in results:
        heaviest = r.max_kb
        if not r.page.reader and heaviest is not None and heaviest > WEIGHT_LIMIT_KB:
            reasons.append(
                f"{r.page.name}: {heaviest:,.1f} KB of HTML (goal ≤ {WEIGHT_LIMIT_KB:g} KB)"
            )
    if smaller is not None:
        by_key = {r.page.key: r for r in smaller}
        for r in dashboards:
            other = by_key.get(r.page.key)
            small, big = (other.p(50) if other else None), r.p(50)
            if small is None or big is None:
                if big is not None:
                    reasons.append(f"{r.page.name}: not measured on the smaller data")
            elif big > SMALLER_DATA_LIMIT * small:
                reasons.append(
                    f"{r.page.name}: p50 {big:.1f} ms is {big / small:.2f}x its p50 on the "
                    f"smaller data, {small:.1f} ms (goal ≤ {SMALLER_DATA_LIMIT:g}x)"
                )
    return not reasons, reasons


def format_verdict(passed, reasons, compared, writer=True):
    goals = f"dashboards as served and computed, for every reader, ≤ {DASHBOARD_LIMIT:g}x base p50"
    if compared:
        goals += f" and ≤ {SMALLER_DATA_LIMIT:g}x their p50 on ten times less data"
    goals += f"; public pages ≤ {WEIGHT_LIMIT_KB:g} KB; zero errors"
    goals += ", the writer pass included" if writer else " (no writer pass)"
    if not compared:
        goals += "; the smaller-data goal was not measured: set COMPARE=0.1"
    if passed:
        return f"Verdict: PASS ({goals})."
    return "\n".join([f"Verdict: FAIL ({goals}):", *(f"  - {reason}" for reason in reasons)])
