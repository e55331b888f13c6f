"""The documented deployment (deploy/), run on loopback with these very files: nginx in front of
gunicorn (ketnghia/gunicorn.conf.py), as deploy/install.sh sets them up, on a database of its
own. Slow clients wait in nginx, not in gunicorn's workers; texts are compressed; static files
and uploads are served by nginx; requests too large are refused; logins are rate-limited.

nginx is Debian's (.ci/run installs it): without it these tests fail, they never skip.
"""

import gzip
import json
import re
import secrets
import socket
import time
import urllib.error
import urllib.request

import pytest
import redis

from tests.deploy.servers import deployment_env, manage, nginx_binary, start, stop, wait_for

PAGES = ["/", "/gioi-thieu/", "/giao-uoc/", "/thong-ke/", "/thong-ke/vung-dong-bao/", "/du-lieu/"]
WORKERS = 2
HUEY_URL = "redis://127.0.0.1:6379/15"
SLOW_CLIENTS = 50


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    nginx = nginx_binary()
    tmp = tmp_path_factory.mktemp("deploy")
    media = tmp / "media"
    (media / "photos").mkdir(parents=True)
    (media / "photos" / "a.txt").write_text("a file of the uploads")
    queue = f"ketnghia-test-{secrets.token_hex(4)}"  # a queue of this deployment's own
    env = deployment_env(
        tmp,
        DATABASE_URL=f"sqlite:///{tmp}/db.sqlite3",
        CACHE_URL="locmemcache://deploy",
        WEB_CONCURRENCY=str(WORKERS),
        # A job queue, as deployed: the open-data files are made by jobs (a second after a
        # change here), sent by nginx.
        HUEY_URL=HUEY_URL,
        HUEY_NAME=queue,
        OPEN_DATA_SECONDS="1",
    )
    manage(
        env,
        ["migrate", "--noinput", "-v0"],
        ["collectstatic", "--noinput", "-v0"],
        ["build_open_data"],
    )
    port, processes = start(tmp, env, nginx)
    try:
        base = f"http://localhost:{port}"
        wait_for(f"{base}/healthz")
        yield {"base": base, "port": port, "app_port": int(env["PORT"]), "tmp": tmp, "env": env}
    finally:
        stop(processes)
        jobs = redis.Redis.from_url(HUEY_URL)  # the jobs the tests' writes scheduled
        for key in jobs.scan_iter(f"*{queue}*"):
            jobs.delete(key)


def get(url, timeout=5, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, dict(response.headers), response.read()


class SlowClients:
    """Connections that send the first line of a request and then nothing, held open."""

    def __init__(self, port, count):
        self.sockets = []
        for _ in range(count):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n")
            self.sockets.append(s)

    def close(self):
        for s in self.sockets:
            s.close()


def timed_pages(base):
    times = {}
    for path in PAGES:
        start = time.monotonic()
        status, _headers, _body = get(base + path, timeout=5)
        times[path] = time.monotonic() - start
        assert status == 200, path
    return times


def test_slow_clients_wait_in_nginx_while_every_page_is_served(deployment):
    slow = SlowClients(deployment["port"], SLOW_CLIENTS)
    try:
        times = timed_pages(deployment["base"])
    finally:
        slow.close()
    assert max(times.values()) < 1, times


def test_without_nginx_a_few_slow_clients_stall_gunicorn(deployment):
    """What nginx is there for: the same slow clients straight at gunicorn hold its workers."""
    slow = SlowClients(deployment["app_port"], WORKERS * 4)
    try:
        with pytest.raises((TimeoutError, urllib.error.URLError)):
            get(f"http://127.0.0.1:{deployment['app_port']}/gioi-thieu/", timeout=1)
    finally:
        slow.close()


def test_html_is_compressed(deployment):
    status, headers, body = get(deployment["base"] + "/", headers={"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert b"<html" in gzip.decompress(body)


def test_static_files_and_uploads_are_served_by_nginx(deployment):
    manifest = json.loads((deployment["tmp"] / "static" / "staticfiles.json").read_text())
    hashed = manifest["paths"]["ketnghia/site.css"]
    status, headers, _body = get(f"{deployment['base']}/static/{hashed}")
    assert status == 200
    assert "immutable" in headers["Cache-Control"]
    status, headers, body = get(f"{deployment['base']}/media/photos/a.txt")
    assert (status, body) == (200, b"a file of the uploads")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in headers["Content-Security-Policy"]


def test_open_data_files_are_sent_by_nginx_as_the_site_names_them(deployment):
    status, headers, body = get(f"{deployment['base']}/du-lieu/agreements.csv")
    assert status == 200
    assert headers["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="ket-nghia-giao-uoc-\d{4}-\d{2}-\d{2}\.csv"',
        headers["Content-Disposition"],
    )
    assert "max-age=300" in headers["Cache-Control"]
    assert body == (deployment["tmp"] / "media" / "opendata" / "agreements.csv").read_bytes()
    assert body.startswith(b"\xef\xbb\xbfslug,title")
    # The files themselves are sent only through the site's answer (named, cached 5 minutes).
    with pytest.raises(urllib.error.HTTPError) as refused:
        get(f"{deployment['base']}/media/opendata/agreements.csv")
    assert refused.value.code == 404

    # Nor are the written reports' files, which the admin hands to staff in scope only.
    report = deployment["tmp"] / "media" / "reports" / "abc" / "bao-cao.pdf"
    report.parent.mkdir(parents=True)
    report.write_bytes(b"%PDF-1.7")
    with pytest.raises(urllib.error.HTTPError) as refused:
        get(f"{deployment['base']}/media/reports/abc/bao-cao.pdf")
    assert refused.value.code == 404


def test_a_change_reaches_the_open_data_files_through_the_job_queue(deployment):
    url = f"{deployment['base']}/du-lieu/agreements.csv"
    assert "Ia Dơk" not in get(url)[2].decode()
    # Writes in a process of their own, as a clerk's in another worker: the job they schedule
    # runs in the consumer, which makes the files again.
    manage(deployment["env"], ["load_demo"])
    deadline = time.monotonic() + 60
    while "Xã Ia Dơk" not in (body := get(url)[2].decode()):
        if time.monotonic() > deadline:
            pytest.fail(f"the open-data files were not made again within 60 s: {body[:200]}")
        time.sleep(0.5)
    assert "Phường An Nhơn Bắc" in body


def test_a_request_too_large_is_refused_before_gunicorn(deployment):
    request = urllib.request.Request(
        deployment["base"] + "/admin/login/", data=b"x" * (13 * 1024 * 1024), method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 413


def test_logins_are_rate_limited(deployment):
    codes = []
    for _ in range(12):
        try:
            codes.append(get(deployment["base"] + "/admin/login/")[0])
        except urllib.error.HTTPError as error:
            codes.append(error.code)
    assert codes[:6] == [200] * 6  # a burst of 5 and the first of the minute
    assert 429 in codes


def test_staff_may_send_a_photo_sized_body_through_nginx(deployment):
    """nginx takes up to 12 MB (a photo or a document and its form; its default is 1 MB): a 5 MB
    form from someone signed in reaches the app, which reads it whole (a well-formed CSRF cookie
    makes Django look for the token in the form) and refuses it for its missing CSRF token, not
    for its size. Refused before it is read, the body would be cut off under nginx (502)."""
    request = urllib.request.Request(
        deployment["base"] + "/i18n/setlang/",
        data=b"language=vi&x=" + b"x" * (5 * 1024 * 1024),
        method="POST",
        headers={
            "Cookie": f"sessionid=abc; csrftoken={'a' * 32}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    with pytest.raises(urllib.error.HTTPError) as answered:
        urllib.request.urlopen(request, timeout=10)
    assert answered.value.code == 403  # CSRF, from Django: nginx let the body through


def test_readiness_is_for_this_machine_only(deployment):
    status, _headers, _body = get(deployment["base"] + "/readyz?format=json")
    assert status in (200, 503)  # asked from 127.0.0.1: allowed
    conf = (deployment["tmp"] / "ketnghia.conf").read_text()
    block = conf.split("location = /readyz")[1].split("}")[0]
    assert "deny all" in block
