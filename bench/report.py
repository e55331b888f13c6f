"""The pure parts of `make bench`: percentiles, the table and the verdict (tested without a
server, in tests/activities/test_generate_national.py)."""

import math
from collections import Counter
from dataclasses import dataclass, field

# The goals of issue 4, "Scale and speed".
DASHBOARD_LIMIT = 5.0  # a dashboard's p50 at most this many times the base page's
SMALLER_DATA_LIMIT = 1.5  # a dashboard's p50 at most this many times its own on 10x less data


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


@dataclass
class Page:
    """One page to measure: `key` names it across runs, `dashboard` puts it under the goals."""

    key: str
    label: str
    path: str
    dashboard: bool = False
    base: bool = False
    fresh: bool = False  # each request at its own address (?fresh=n): never from the page cache

    def path_of(self, token):
        """The address of a request; `token` tells fresh requests apart."""
        if not self.fresh:
            return self.path
        return f"{self.path}{'&' if '?' in self.path else '?'}fresh={token}"


@dataclass
class Result:
    page: Page
    latencies: list = field(default_factory=list)  # seconds, answers 2xx only
    errors: Counter = field(default_factory=Counter)  # "HTTP 404", "ConnectionResetError"…
    seconds: float = 0.0  # wall time of the run

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


def base_of(results):
    return next((r for r in results if r.page.base), None)


def ratio(value, base):
    if value is None or not base:
        return None
    return value / base


def _number(value, digits=1):
    return "–" if value is None else f"{value:,.{digits}f}"


def format_table(results):
    """One line per page: page, URL, requests, errors, p50 ms, p95 ms, req/s, p50/base."""
    base = base_of(results)
    base_p50 = base.p(50) if base else None
    header = ("page", "URL", "requests", "errors", "p50 ms", "p95 ms", "req/s", "p50/base")
    rows = [
        (
            r.page.label,
            r.page.path,
            str(r.requests),
            str(r.error_count),
            _number(r.p(50)),
            _number(r.p(95)),
            _number(r.rate),
            _number(ratio(r.p(50), base_p50), 2),
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    left = {0, 1}  # text columns; figures align right

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
            lines.append(f"  errors on {r.page.label} ({r.page.path}): {kinds}")
    return "\n".join(lines)


def format_comparison(results, smaller, scale, smaller_scale):
    """Each dashboard's p50 on the full data against the smaller data, as served and as
    computed (the computed rows for information)."""
    by_key = {r.page.key: r for r in smaller}
    width = max((len(r.page.label) for r in results), default=0) + 1
    header = (
        f"{'dashboard':<{width}} {'p50 ms @' + str(scale):>14} "
        f"{'p50 ms @' + str(smaller_scale):>14}"
    )
    lines = [header + f" {'ratio':>7}"]
    for r in results:
        if not (r.page.dashboard or r.page.fresh):
            continue
        other = by_key.get(r.page.key)
        small = other.p(50) if other else None
        lines.append(
            f"{r.page.label:<{width}} {_number(r.p(50)):>14} {_number(small):>14}"
            f" {_number(ratio(r.p(50), small), 2):>7}"
        )
    return "\n".join(lines)


def verdict(results, smaller=None):
    """(passed, reasons): zero errors anywhere; each dashboard's p50 within DASHBOARD_LIMITx the
    base page's; with `smaller` (the same pages on ten times less data), within
    SMALLER_DATA_LIMITx its own p50 there. A goal that could not be measured fails."""
    reasons = []
    for run in (results, smaller or []):
        for r in run:
            if r.errors:
                reasons.append(f"{r.page.label}: {r.error_count} errors of {r.requests} requests")
    base = base_of(results)
    base_p50 = base.p(50) if base else None
    if base_p50 is None:
        reasons.append("the base page gave no answer: no ratio can be measured")
    dashboards = [r for r in results if r.page.dashboard]
    if not dashboards:
        reasons.append("no dashboard was measured")
    for r in dashboards:
        p50 = r.p(50)
        if p50 is None:
            reasons.append(f"{r.page.label}: no successful answer")
        elif base_p50 is not None and p50 > DASHBOARD_LIMIT * base_p50:
            reasons.append(
                f"{r.page.label}: p50 {p50:.1f} ms is {p50 / base_p50:.1f}x the base's "
                f"(goal ≤ {DASHBOARD_LIMIT:g}x)"
            )
    if smaller is not None:
        by_key = {r.page.key: r for r in smaller}
        for r in dashboards:
            other = by_key.get(r.page.key)
            small, big = (other.p(50) if other else None), r.p(50)
            if small is None or big is None:
                if big is not None:
                    reasons.append(f"{r.page.label}: not measured on the smaller data")
            elif big > SMALLER_DATA_LIMIT * small:
                reasons.append(
                    f"{r.page.label}: p50 {big:.1f} ms is {big / small:.2f}x its p50 on the "
                    f"smaller data, {small:.1f} ms (goal ≤ {SMALLER_DATA_LIMIT:g}x)"
                )
    return not reasons, reasons


def format_verdict(passed, reasons, compared):
    goals = f"dashboards as served ≤ {DASHBOARD_LIMIT:g}x base p50, zero errors"
    if compared:
        goals += f", ≤ {SMALLER_DATA_LIMIT:g}x their p50 on ten times less data"
    else:
        goals += " (the smaller-data goal was not measured: set COMPARE=0.1)"
    if passed:
        return f"Verdict: PASS ({goals})."
    return "\n".join([f"Verdict: FAIL ({goals}):", *(f"  - {reason}" for reason in reasons)])
