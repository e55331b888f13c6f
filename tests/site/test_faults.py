"""Faults degrade, never break (ketnghia.cache, ketnghia.health, ketnghia.views.server_error):
with Redis stopped mid-test, pages are computed and served, saves go through and /readyz says
503; with Redis back, pages are kept in it again. Without the database, a 503 page that says so.

The Redis here is one the test starts itself, on a free port: the machine's own is left alone.
"""

import shutil
import socket
import subprocess
import time
from unittest import mock

import pytest
import redis
from django.core.cache import cache
from django.db import OperationalError
from django.test import Client
from huey import RedisHuey
from redis.exceptions import RedisError

from activities.models import Funder
from ketnghia import cache as resilient
from ketnghia import health, pagecache

pytestmark = pytest.mark.django_db

PAGES = ["/", "/giao-uoc/", "/thong-ke/", "/thong-ke/vung-dong-bao/", "/gioi-thieu/"]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A redis-server of the test's own, that it stops and starts again on the same port."""

    def __init__(self):
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is missing: install Debian's redis-server (.ci/run does)")
        self.binary, self.port, self.process = binary, _free_port(), None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        pytest.fail("redis-server did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)

    def keys(self):
        return redis.Redis(port=self.port).dbsize()


@pytest.fixture
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    if server.process.poll() is None:
        server.stop()


@pytest.fixture
def redis_cache(settings, redis_server, monkeypatch):
    """The page cache on the test's Redis, tried again at once after a failure."""
    monkeypatch.setattr(resilient, "RETRY_SECONDS", 0)
    settings.CACHES = {
        "default": {"BACKEND": "ketnghia.cache.ResilientRedisCache", "LOCATION": redis_server.url}
    }
    settings.PAGE_CACHE_SECONDS = 600
    yield redis_server
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def test_pages_are_served_and_saves_go_through_while_redis_is_down(
    admin_client, agreement, redis_cache
):
    client = Client()  # anonymous: admin_client is signed in
    for path in PAGES:
        assert client.get(path).status_code == 200, path
    assert redis_cache.keys() > 0  # the pages are kept in Redis
    assert client.get("/readyz?format=json").status_code == 200

    redis_cache.stop()
    pages = [*PAGES, f"/giao-uoc/{agreement.slug}/", "/thong-ke/xa-ia-dok/"]
    for path in pages:
        assert client.get(path).status_code == 200, path
    response = admin_client.post(
        "/admin/activities/funder/add/",
        {"name": "Công ty Cà phê Gia Lai", "kind": "enterprise", "slug": "", "note": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Funder.objects.filter(name="Công ty Cà phê Gia Lai").exists()
    ready = client.get("/readyz?format=json")
    assert ready.status_code == 503
    assert "Unavailable" in ready.json()["Cache(alias='default')"]
    assert ready.json()["Database(alias='default')"] == "OK"

    redis_cache.start()  # empty, as a restarted Redis that keeps nothing on disk
    assert client.get("/readyz?format=json").status_code == 200
    assert client.get("/").status_code == 200
    assert redis_cache.keys() > 0  # used again


def test_a_write_made_while_redis_failed_is_seen_once_it_answers(client, agreement, redis_cache):
    """Redis out of reach but not emptied: the pages it kept from before a write are not served
    once it answers again."""
    path = f"/giao-uoc/{agreement.slug}/"
    assert "Giao ước Ia Dơk – An Nhơn Bắc" in client.get(path).content.decode()
    with mock.patch.object(cache._cache, "set_many", side_effect=RedisError("unreachable")):
        agreement.title = "Giao ước kết nghĩa Ia Dơk – An Nhơn Bắc (sửa)"
        agreement.save()
    assert "(sửa)" in client.get(path).content.decode()


def test_a_narrow_bump_after_an_outage_still_pays_what_was_owed(redis_cache):
    """A bump the cache did not take is paid with the next one, whatever that one's tags."""
    assert pagecache.generation()  # every page's generation, in the cache
    before = cache.get(pagecache.GENERATION_KEY)
    with mock.patch.object(cache._cache, "set_many", side_effect=RedisError("unreachable")):
        pagecache.bump({pagecache.tag("agreement", "a")})
    assert pagecache._owed
    pagecache.bump({pagecache.tag("agreement", "b")})  # the cache answers again
    assert cache.get(pagecache.GENERATION_KEY) != before  # every page went, not only b's
    assert not pagecache._owed


def test_a_process_that_saw_the_cache_fail_drops_every_page_when_it_answers_again(
    client, agreement, redis_cache
):
    """Another worker's write, made while this one could not reach Redis, was not counted:
    this one drops every page when it sees Redis again."""
    assert client.get("/").status_code == 200
    before = pagecache.generation()
    redis_cache.stop()
    assert client.get("/").status_code == 200  # this process sees the outage
    redis_cache.start()
    assert client.get("/").status_code == 200
    assert pagecache.generation() != before


def test_the_cache_answers_as_a_miss_while_redis_is_down(redis_cache):
    cache.set("a", 1)
    assert cache.get("a") == 1
    redis_cache.stop()
    assert cache.get("a") is None
    assert cache.get("a", "default") == "default"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.set_many({"a": 2, "b": 3}) == ["a", "b"]  # every key failed
    assert cache.add("c", 1) is False
    assert cache.delete("a") is False
    assert cache.has_key("a") is False
    with pytest.raises(ValueError):
        cache.incr("a")
    redis_cache.start()
    cache.set("a", 4)
    assert cache.get("a") == 4


def test_the_cache_makes_one_redis_client_not_one_a_call(redis_cache):
    """Django's client makes a redis.Redis for every call (half of a call's time); this one
    keeps it, and it reconnects after Redis restarts."""
    cache.set("a", 1)
    no_new_client = mock.patch.object(
        redis.Redis, "__init__", side_effect=AssertionError("a new client")
    )
    with no_new_client:
        cache.set("a", 2)
        assert cache.get("a") == 2
        assert cache.get_many(["a", "b"]) == {"a": 2}
    redis_cache.stop()
    redis_cache.start()  # empty: it keeps nothing on disk
    with no_new_client:
        assert cache.get("a") is None
        cache.set("a", 3)
        assert cache.get("a") == 3


def test_an_outage_is_not_asked_again_for_a_while(redis_cache, monkeypatch):
    """A Redis that hangs costs one time-out, then is left alone for RETRY_SECONDS."""
    monkeypatch.setattr(resilient, "RETRY_SECONDS", 60)
    redis_cache.stop()
    assert cache.get("a") is None
    with mock.patch.object(type(cache._cache), "get") as asked:
        assert cache.get("a") is None
    asked.assert_not_called()


def test_readyz_answers_200_when_every_service_answers(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = client.get("/readyz?format=json")
    assert response.status_code == 200
    assert set(response.json().values()) == {"OK"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_answers_503_when_the_storage_fails(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "missing"
    (tmp_path / "missing").write_text("a file where the folder should be")
    response = client.get("/readyz?format=json")
    assert response.status_code == 503
    assert response.json()["Storage(alias='default')"] != "OK"


def test_a_page_answers_503_in_vietnamese_when_the_database_does_not(db):
    client = Client(raise_request_exception=False)
    with mock.patch(
        "django.db.backends.utils.CursorWrapper.execute",
        side_effect=OperationalError("connection refused"),
    ):
        response = client.get("/gioi-thieu/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    text = response.content.decode()
    assert "Tạm thời không truy cập được" in text
    assert "connection refused" not in text


def test_other_errors_keep_the_500_page(db):
    client = Client(raise_request_exception=False)
    with mock.patch("ketnghia.views.render", side_effect=RuntimeError("a bug")):
        response = client.get("/gioi-thieu/")
    assert response.status_code == 500
    assert "Tạm thời" not in response.content.decode()


def test_readyz_names_the_job_queue_when_it_does_not_answer(client, redis_server, monkeypatch):
    """With a job queue (HUEY_URL), /readyz asks its Redis too."""
    monkeypatch.setattr(health, "HUEY", RedisHuey("ketnghia-test", url=redis_server.url))
    response = client.get("/readyz?format=json")
    assert response.status_code == 200
    assert response.json()["JobQueue"] == "OK"
    redis_server.stop()
    response = client.get("/readyz?format=json")
    assert response.status_code == 503
    assert response.json()["JobQueue"] != "OK"
