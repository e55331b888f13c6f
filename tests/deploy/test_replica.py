"""Reads from a PostgreSQL streaming replica (ketnghia.replicas), on a real one: a primary cluster
and its replica, made with pg_basebackup, each on a port of its own on loopback, and the site
served by gunicorn on both (DATABASE_URL, DATABASE_REPLICA_URL).

With the replica's replay paused, a write on the primary is not on the replica yet: a page that
shows the old value was read from the replica, one that shows the new value from the primary.

PostgreSQL's server programs are Debian's (postgresql); as root, the clusters run as the
postgres account. Without them this test fails, it never skips.
"""

import html
import http.cookiejar
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg
import pytest

from tests.deploy.servers import free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]
NEW_NAME = "Lĩnh vực đổi tên trên máy chính"


def _programs():
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    if initdb is None:
        pytest.fail("PostgreSQL's server programs are missing: install Debian's postgresql")
    return Path(initdb).parent


def _as_postgres(command):
    """PostgreSQL refuses to run as root: as root, the programs run as the postgres account."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *map(str, command)]
    return [str(c) for c in command]


def _run(*command):
    subprocess.run(_as_postgres(command), check=True, capture_output=True)


def _connect(port, dbname="ketnghia"):
    return psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname=dbname)


@pytest.fixture(scope="module")
def clusters():
    """(primary port, replica port): a new cluster and its streaming replica."""
    bin_dir = _programs()
    base = Path(tempfile.mkdtemp(prefix="ketnghia-replica-", dir="/tmp"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    primary, replica = base / "primary", base / "replica"
    ports = free_port(), free_port()
    started = []
    try:
        _run(bin_dir / "initdb", "-D", primary, "-U", "postgres", "--auth=trust", "-E", "UTF8")
        settings = (
            f"listen_addresses = '127.0.0.1'\nunix_socket_directories = '{base}'\n"
            "wal_level = replica\nmax_wal_senders = 4\nfsync = off\nfull_page_writes = off\n"
        )
        with (primary / "postgresql.conf").open("a") as conf:
            conf.write(settings)
        for cluster, port in ((primary, ports[0]), (replica, ports[1])):
            if cluster == replica:
                # A copy of the primary, which follows it (-R: standby.signal, primary_conninfo).
                _run(
                    bin_dir / "pg_basebackup", "-h", "127.0.0.1", "-p", ports[0], "-U", "postgres",
                    "-D", replica, "-R", "-X", "stream",
                )  # fmt: skip
            _run(
                bin_dir / "pg_ctl",
                "-D",
                cluster,
                "-l",
                f"{cluster}.log",
                "-w",
                "-o",
                f"-p {port}",
                "start",
            )
            started.append(cluster)
        yield ports
    finally:
        for cluster in reversed(started):
            subprocess.run(
                _as_postgres([bin_dir / "pg_ctl", "-D", cluster, "-m", "immediate", "stop"]),
                capture_output=True,
            )
        shutil.rmtree(base, ignore_errors=True)


def _caught_up(primary_port, replica_port, seconds=30):
    with _connect(primary_port) as primary:
        (lsn,) = primary.execute("SELECT pg_current_wal_lsn()::text").fetchone()
    deadline = time.monotonic() + seconds
    with _connect(replica_port) as replica:
        while time.monotonic() < deadline:
            (done,) = replica.execute(
                "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn]
            ).fetchone()
            if done:
                return
            time.sleep(0.1)
    pytest.fail(f"the replica did not replay the primary's WAL up to {lsn} in {seconds} s")


@pytest.fixture(scope="module")
def site(clusters, tmp_path_factory):
    primary_port, replica_port = clusters
    with psycopg.connect(
        host="127.0.0.1", port=primary_port, user="postgres", dbname="postgres", autocommit=True
    ) as server:
        server.execute("CREATE DATABASE ketnghia")
    tmp = tmp_path_factory.mktemp("replica-site")
    password = secrets.token_urlsafe(12)
    env = {
        **os.environ,
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "HTTPS": "False",
        "STATIC_MANIFEST": "False",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{primary_port}/ketnghia",
        "DATABASE_REPLICA_URL": f"postgres://postgres@127.0.0.1:{replica_port}/ketnghia",
        "CACHE_URL": "locmemcache://replica",
        "PAGE_CACHE_SECONDS": "0",
        "MEDIA_ROOT": str(tmp / "media"),
        "HOST": "127.0.0.1",
        "PORT": str(free_port()),
        "WEB_CONCURRENCY": "2",
        "DJANGO_SUPERUSER_PASSWORD": password,
    }
    python = sys.executable
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["load_demo"],
        ["createsuperuser", "--noinput", "--username", "thu-ky", "--email", "tk@example.org"],
    ):
        subprocess.run(
            [python, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True
        )
    app = subprocess.Popen(
        [str(Path(python).parent / "gunicorn"), "-c", "ketnghia/gunicorn.conf.py", "ketnghia.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{env['PORT']}"
        wait_for(f"{base}/healthz")
        yield {"base": base, "password": password, "ports": clusters}
    finally:
        app.terminate()
        app.wait(timeout=30)


class Browser:
    """A visitor with cookies."""

    def __init__(self, base):
        self.base, self.cookies = base, http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path):
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post_form(self, path, fields):
        """Send the form of the page at `path` (its CSRF token) with `fields`."""
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.get(path))
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token[1], **fields}).encode()
        request = urllib.request.Request(self.base + path, data=data)
        with self.opener.open(request, timeout=30) as response:
            return response.read().decode()

    def forget(self, name):
        for cookie in list(self.cookies):
            if cookie.name == name:
                self.cookies.clear(cookie.domain, cookie.path, cookie.name)


def test_public_reads_go_to_the_replica_and_a_writer_reads_their_own_write(site):
    primary_port, replica_port = site["ports"]
    with _connect(primary_port) as primary:
        area_id, old_name, slug, position = primary.execute(
            "SELECT id, name, slug, position FROM agreements_commitmentarea ORDER BY position, id"
        ).fetchone()
    clerk, visitor = Browser(site["base"]), Browser(site["base"])
    clerk.post_form(
        "/admin/login/?next=/admin/", {"username": "thu-ky", "password": site["password"]}
    )
    assert html.escape(old_name) in visitor.get("/thong-ke/")
    _caught_up(primary_port, replica_port)  # the clerk's session is on the replica too

    with _connect(replica_port) as replica:
        replica.execute("SELECT pg_wal_replay_pause()")
        try:
            answer = clerk.post_form(
                f"/admin/agreements/commitmentarea/{area_id}/change/",
                {
                    "name": NEW_NAME,
                    "slug": slug,
                    "description": "",
                    "position": position,
                    "_save": "",
                },
            )
            assert "thành công" in answer  # saved: a write on the replica would have failed
            with _connect(primary_port) as primary:
                (name,) = primary.execute(
                    "SELECT name FROM agreements_commitmentarea WHERE id = %s", [area_id]
                ).fetchone()
            assert name == NEW_NAME

            # The public reads from the replica, where the change is not yet.
            page = visitor.get("/thong-ke/")
            assert html.escape(old_name) in page and NEW_NAME not in page
            # The clerk, who just wrote, reads from the primary: their change is there.
            assert NEW_NAME in clerk.get("/thong-ke/")
            # Once the clerk's short stay on the primary is over, they read from the replica too.
            clerk.forget("ketnghia_primary")
            assert NEW_NAME not in clerk.get("/thong-ke/")
        finally:
            replica.execute("SELECT pg_wal_replay_resume()")

    _caught_up(primary_port, replica_port)
    assert NEW_NAME in visitor.get("/thong-ke/")
