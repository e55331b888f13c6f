"""make load's verdict (bench.deployed, without a server): any error, on either side, fails it."""

from types import SimpleNamespace

import pytest

from bench import deployed

ARGS = SimpleNamespace(seconds=10)


def side(latencies=(), errors=()):
    found = deployed.Side()
    for seconds in latencies:
        found.record(seconds)
    for error in errors:
        found.record(0.0, error)
    return found


def test_zero_errors_pass_with_each_side_s_percentiles(capsys):
    failed = deployed._report(side([0.1] * 19 + [0.3]), side([0.2, 0.2]), ARGS)
    out = capsys.readouterr().out
    assert not failed
    assert "readers        20      0   100.0   110.0    2.0" in out
    assert "PASS (zero errors)" in out


@pytest.mark.parametrize(
    ("reads", "writes"),
    [
        (side([0.1], ["HTTP 502 /thong-ke/"]), side([0.2])),
        (side([0.1]), side([], ["sign-in: AssertionError: /admin/login/: HTTP 429"])),
        (side([0.1]), side()),  # a writer that never wrote
    ],
)
def test_any_error_or_a_side_that_did_nothing_fails(reads, writes, capsys):
    assert deployed._report(reads, writes, ARGS)
    out = capsys.readouterr().out
    assert "FAIL" in out
    for error in [*reads.errors, *writes.errors]:
        assert f"1 times: {error}" in out
