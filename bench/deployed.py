"""The documented deployment under load: readers and writers for a minute, through nginx.

    python -m bench.deployed [--seconds 60] [--readers 8] [--writers 2]

Sets up what deploy/install.sh sets up, on loopback, with these very files: nginx
(deploy/nginx/ketnghia.conf) in front of gunicorn (ketnghia/gunicorn.conf.py) and the job
consumer (run_huey), on a PostgreSQL database of its own with the demo data, Redis as the cache
and the job queue (databases 12 and 13, emptied first), the page cache and the open-data files
as deployed. Then, for `--seconds`:

- each reader (a visitor, no session) reads the public pages in turn: home, agreements, an
  agreement, a locality, the dashboards, the open data and its files, the API;
- each writer (a clerk, signed in through the admin's login form) adds a funder through the
  admin's form, again and again: each write drops the pages it changes and schedules the
  open-data files' build.

Prints each side's requests, errors, p50 and p95 (ms), and exits 1 on any error.
"""

import argparse
import http.client
import itertools
import re
import secrets
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

import psycopg
import redis
from psycopg import sql

from bench.report import percentile
from tests.deploy.servers import (
    deployment_env,
    manage,
    nginx_binary,
    start,
    stop,
    wait_for,
)

SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
DATABASE = "ketnghia_deployed"
CACHE_URL = "redis://127.0.0.1:6379/13"
HUEY_URL = "redis://127.0.0.1:6379/12"
CLERK, PASSWORD = "thu-ky-tai", secrets.token_urlsafe(12)
TIMEOUT = 30


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.deployed", description=__doc__)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--writers", type=int, default=2)
    args = parser.parse_args(argv)
    nginx = nginx_binary()
    with tempfile.TemporaryDirectory(prefix="ketnghia-deployed-") as tmp:
        tmp = Path(tmp)
        env = _prepare(tmp)
        log = (tmp / "app.log").open("w")
        port, processes = start(tmp, env, nginx, output=log)  # the job consumer too
        try:
            wait_for(f"http://localhost:{port}/healthz")
            reads, writes = _run(port, _pages(port), args)
        finally:
            stop(processes)
    failed = _report(reads, writes, args)
    sys.exit(1 if failed else 0)


def _prepare(tmp):
    """A database of its own with the demo data and a clerk, empty Redis databases, the static
    files and the open-data files: the settings."""
    with psycopg.connect(SERVER, autocommit=True) as server:
        drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
        server.execute(drop.format(sql.Identifier(DATABASE)))
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))
    for url in (CACHE_URL, HUEY_URL):
        redis.Redis.from_url(url).flushdb()
    (tmp / "media").mkdir()
    env = deployment_env(
        tmp,
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
        CACHE_URL=CACHE_URL,
        HUEY_URL=HUEY_URL,
        OPEN_DATA_SECONDS="10",
        SITE_URL="http://localhost",
        DJANGO_SUPERUSER_PASSWORD=PASSWORD,
    )
    print("-- Preparing: migrate, demo data, static files, open-data files", flush=True)
    manage(
        env,
        ["migrate", "--noinput", "-v0"],
        ["load_demo"],
        ["collectstatic", "--noinput", "-v0"],
        ["build_open_data"],
        ["createsuperuser", "--noinput", "--username", CLERK, "--email", "tk@example.org"],
    )
    return env


def _pages(port):
    """The public pages a reader reads in turn, found from the home page and the lists."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    connection.request("GET", "/giao-uoc/", headers={"Host": "localhost"})
    listing = connection.getresponse().read().decode()
    agreement = re.search(r'href="(/giao-uoc/[a-z0-9-]+/)"', listing)[1]
    connection.close()
    return [
        "/",
        "/giao-uoc/",
        agreement,
        "/dia-phuong/xa-ia-dok/",
        "/thong-ke/",
        "/thong-ke/xa-ia-dok/",
        "/thong-ke/vung-dong-bao/",
        "/du-lieu/",
        "/du-lieu/activities.csv",
        "/api/v1/agreements/",
    ]


class Side:
    """The timings and errors of the readers, or of the writers."""

    def __init__(self):
        self.lock, self.latencies, self.errors = threading.Lock(), [], Counter()

    def record(self, seconds, error=None):
        with self.lock:
            if error:
                self.errors[error] += 1
            else:
                self.latencies.append(seconds)


def _request(port, method, path, headers=None, body=None):
    """(status, headers, body) of one request through nginx, on a connection of its own."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        sent = {"Host": "localhost", **(headers or {})}
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def _timed(side, port, method, path, expected, headers=None, body=None):
    started = time.perf_counter()
    try:
        status, answer_headers, content = _request(port, method, path, headers, body)
    except (OSError, http.client.HTTPException) as error:
        side.record(time.perf_counter() - started, type(error).__name__)
        return None, None
    elapsed = time.perf_counter() - started
    side.record(elapsed, None if status == expected else f"HTTP {status} {path}")
    return answer_headers, content


def _reader(port, pages, side, deadline, offset):
    for path in itertools.islice(itertools.cycle(pages), offset, None):
        if time.monotonic() >= deadline:
            return
        _timed(side, port, "GET", path, 200)


class Clerk:
    """A clerk's cookies (session, CSRF), signed in through the admin's login form."""

    def __init__(self, port):
        self.port, self.cookies = port, {}
        self.sign_in()

    def headers(self):
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}

    def keep(self, headers):
        for value in headers.get_all("Set-Cookie") or ():
            name, _, rest = value.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]

    def form(self, path, fields, side=None):
        """GET the form at `path`, then POST it with `fields`: the POST's answer headers."""
        status, headers, content = _request(self.port, "GET", path, self.headers())
        self.keep(headers)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)[1].decode()
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **fields})
        post = {
            **self.headers(),
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://localhost{path}",
        }
        if side is None:
            status, answer, _content = _request(self.port, "POST", path, post, body)
            assert status == 302, f"{path}: HTTP {status}"
        else:
            answer, _content = _timed(side, self.port, "POST", path, 302, post, body)
        if answer is not None:
            self.keep(answer)
        return answer

    def sign_in(self):
        self.form("/admin/login/?next=/admin/", {"username": CLERK, "password": PASSWORD})


def _writer(port, side, deadline, number):
    """Adds funders until the deadline; whatever goes wrong is counted as an error."""
    try:
        clerk = Clerk(port)
    except Exception as error:  # counted, and reported
        side.record(0, f"sign-in: {type(error).__name__}: {error}")
        return
    for n in itertools.count():
        if time.monotonic() >= deadline:
            return
        name = f"Doanh nghiệp tài trợ {number}-{n} {secrets.token_hex(3)}"
        try:
            clerk.form(
                "/admin/activities/funder/add/",
                {"name": name, "kind": "enterprise", "slug": "", "note": ""},
                side,
            )
        except Exception as error:  # the form's GET failed, or it had no token
            side.record(0, f"{type(error).__name__}: {error}")


def _run(port, pages, args):
    reads, writes = Side(), Side()
    deadline = time.monotonic() + args.seconds
    threads = [
        threading.Thread(target=_reader, args=(port, pages, reads, deadline, n))
        for n in range(args.readers)
    ] + [
        threading.Thread(target=_writer, args=(port, writes, deadline, n))
        for n in range(args.writers)
    ]
    print(
        f"-- {args.readers} readers and {args.writers} writers for {args.seconds:g} s, through "
        "nginx",
        flush=True,
    )
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return reads, writes


def _report(reads, writes, args):
    print()
    print(f"{'side':<8} {'requests':>8} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7} {'req/s':>6}")
    failed = False
    for name, side in (("readers", reads), ("writers", writes)):
        done = len(side.latencies) + sum(side.errors.values())
        p50 = percentile(side.latencies, 50) or 0
        p95 = percentile(side.latencies, 95) or 0
        print(
            f"{name:<8} {done:>8} {sum(side.errors.values()):>6} {p50 * 1000:>7.1f} "
            f"{p95 * 1000:>7.1f} {done / args.seconds:>6.1f}"
        )
        for error, count in side.errors.most_common():
            print(f"    {count} times: {error}")
        failed |= bool(side.errors) or not side.latencies
    print("\nVerdict:", "FAIL" if failed else "PASS (zero errors)")
    return failed


if __name__ == "__main__":
    main()
