"""bench.run and bench.load without gunicorn: the exit status, the writer's report, the readers'
check, and the load client against a small server of the standard library on loopback."""

import http.server
import os
import threading
import time
from collections import Counter

import pytest

from bench import load, report, run


def result(key, p50_ms, **page):
    return report.Result(
        page=report.Page(key=key, label=key, path=f"/{key}/", **page),
        latencies=[p50_ms / 1000] * 4,
        seconds=1.0,
        sizes=[1024] * 4,
    )


MAIN = [result("base", 2.0, base=True), result("d", 4.0, dashboard=True)]
SLOW = [result("base", 2.0, base=True), result("d", 40.0, dashboard=True)]
WRITER = report.WriterSummary(writes=3, latencies=[0.01] * 3, seconds=3.0)


@pytest.mark.parametrize(
    ("results", "strict", "status"),
    [(MAIN, True, 0), (SLOW, False, 0), (SLOW, True, 1)],
)
def test_strict_exits_1_on_a_missed_goal_only(results, strict, status, capsys):
    assert run.conclude(results, None, [], WRITER, [1.0], strict) == status
    out = capsys.readouterr().out
    assert ("Verdict: PASS" in out) == (results is MAIN)


def test_a_writer_error_fails_the_strict_run(capsys):
    failed = report.WriterSummary(writes=2, errors=Counter({"IntegrityError": 1}))
    assert run.conclude(MAIN, None, [], failed, [1.0], strict=True) == 1
    assert "the writer: 1 errors of 3 writes" in capsys.readouterr().out


def test_the_comparison_is_printed_with_a_smaller_dataset(capsys):
    assert run.conclude(MAIN, MAIN, [], WRITER, [1.0, 0.1], strict=True) == 0
    out = capsys.readouterr().out
    assert "p50 ms @1" in out and "p50 ms @0.1" in out


def test_the_writers_summary_is_its_last_line_and_none_is_an_error():
    output = 'WRITER READY {"agreement": "A"}\nWRITER {"writes": 4, "errors": {}, "removed": 4}\n'
    summary = run.parse_writer(output)
    assert (summary.writes, summary.error_count, summary.removed) == (4, 0, 4)
    crashed = run.parse_writer('WRITER READY {"agreement": "A"}\nTraceback…\n')
    assert (crashed.writes, crashed.error_count) == (0, 1)
    assert report.verdict(MAIN, writer=crashed)[0] is False


def test_each_dataset_has_a_database_of_its_own():
    base = "postgres://postgres@127.0.0.1:5432/ketnghia_bench"
    assert run.database_url(base, 1.0) == (base, "ketnghia_bench")
    assert run.database_url(base, 0.1) == (f"{base}_0_1", "ketnghia_bench_0_1")


class _Handler(http.server.BaseHTTPRequestHandler):
    """/admin/ as Django's admin: 200 with the reader's session, a redirect to the login page
    without. Any other page: 1,000 bytes with that session, 403 without."""

    def do_GET(self):
        signed_in = self.headers.get("Cookie") == "sessionid=good"
        if self.path == "/admin/":
            status, body = (200 if signed_in else 302), b""
        else:
            status, body = (200, b"." * 1000) if signed_in else (403, b"")
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def test_the_load_client_sends_the_readers_cookie_and_weighs_each_answer(server):
    page = report.Page(key="d", label="d", path="/thong-ke/", reader="commune leader")
    cookies = {"commune leader": "sessionid=good"}
    result = load.drive(page, server, 6, 2, 10, headers=run._headers(page, cookies))
    assert (result.requests, result.error_count) == (6, 0)
    assert result.sizes == [1000] * 6
    assert result.kb == pytest.approx(1000 / 1024)
    anonymous = report.Page(key="d", label="d", path="/thong-ke/")
    assert run._headers(anonymous, cookies) is None
    result = load.drive(anonymous, server, 3, 1, 10, headers=run._headers(anonymous, cookies))
    assert (result.errors, result.sizes) == (Counter({"HTTP 403": 3}), [])


def test_a_reader_whose_session_does_not_sign_in_stops_the_bench(server, monkeypatch):
    good = {"check_path": "/admin/", "cookies": {"commune leader": "sessionid=good"}}
    run.check_readers(server, good)
    bad = {"check_path": "/admin/", "cookies": {"province officer": "sessionid=stale"}}
    with pytest.raises(RuntimeError, match="the province officer is not signed in"):
        run.check_readers(server, bad)
    # A check page that answers everyone tells nothing apart.
    monkeypatch.setattr(load, "get_status", lambda port, path, headers=None: 200)
    with pytest.raises(RuntimeError, match="answers 200 to nobody signed in"):
        run.check_readers(server, good)


# Stands in for bench.writer: ready at once, then writes until SIGTERM, then reports.
FAKE_WRITER = """
import json, signal, time
stop = []
signal.signal(signal.SIGTERM, lambda *args: stop.append(1))
print("WRITER READY " + json.dumps({"agreement": "A"}), flush=True)
writes = 0
while not stop and writes < 600:
    writes += 1
    time.sleep(0.05)
print("WRITER " + json.dumps({"writes": writes, "errors": {}, "agreement": "A"}), flush=True)
"""


def test_the_writer_process_writes_from_the_block_to_its_end(tmp_path):
    env = {**os.environ, "SECRET_KEY": "x" * 50, "DEBUG": "True"}
    writer = run.Writer(env, "xa", count=10, seconds=10, log_path=tmp_path / "writer.log")
    writer.code = FAKE_WRITER
    with writer:
        assert writer.ready == {"agreement": "A"}
        time.sleep(0.5)
    assert writer.process.returncode == 0
    assert 1 <= writer.summary.writes < 600  # stopped by the end of the block, not its bound
    assert writer.summary.error_count == 0


def test_a_writer_that_cannot_start_stops_the_bench(tmp_path):
    env = {**os.environ, "SECRET_KEY": "x" * 50, "DEBUG": "True"}
    writer = run.Writer(env, "xa", count=10, seconds=10, log_path=tmp_path / "writer.log")
    writer.code = "raise SystemExit('no published agreement to write to')"
    with pytest.raises(RuntimeError, match="the writer did not start"), writer:
        pass
    assert "no published agreement" in (tmp_path / "writer.log").read_text()
