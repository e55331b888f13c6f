"""ketnghia.replicas without a replica: which reads its router would send there (the whole path
through a real replica is tests/deploy/test_replica.py)."""

import pytest
from django.db import connections
from django.http import HttpResponse
from django.test import RequestFactory

from agreements.models import Agreement
from ketnghia import replicas


@pytest.fixture
def reading_from_replica():
    token = replicas._reads.set(replicas.REPLICA)
    yield
    replicas._reads.reset(token)


def test_reads_in_a_transaction_stay_on_the_primary(reading_from_replica, monkeypatch):
    router = replicas.ReplicaRouter()
    primary = connections["default"]
    monkeypatch.setattr(primary, "in_atomic_block", False)
    assert router.db_for_read(Agreement) == replicas.REPLICA
    monkeypatch.setattr(primary, "in_atomic_block", True)
    assert router.db_for_read(Agreement) is None


def test_after_a_write_the_request_reads_from_the_primary(reading_from_replica, monkeypatch):
    monkeypatch.setattr(connections["default"], "in_atomic_block", False)
    router = replicas.ReplicaRouter()
    assert router.db_for_write(Agreement) == "default"
    assert router.db_for_read(Agreement) is None


@pytest.mark.parametrize("path", ["/admin/", "/en/admin/agreements/agreement/"])
def test_the_admin_reads_from_the_primary_in_every_language(path, monkeypatch):
    monkeypatch.setattr(replicas, "configured", lambda: True)
    seen = []
    middleware = replicas.ReplicaMiddleware(lambda request: seen.append(replicas._reads.get()))
    middleware(RequestFactory().get(path))
    middleware(RequestFactory().get("/en/agreements/"))
    assert seen == [None, replicas.REPLICA]


def test_a_form_sent_keeps_its_sender_on_the_primary(settings, monkeypatch):
    monkeypatch.setattr(replicas, "configured", lambda: True)
    settings.REPLICA_PIN_SECONDS = 10
    seen = []

    def view(request):
        seen.append(replicas._reads.get())
        return HttpResponse()

    middleware = replicas.ReplicaMiddleware(view)
    sent = middleware(RequestFactory().post("/gop-y/"))
    cookie = sent.cookies[replicas.PIN_COOKIE]
    assert cookie["max-age"] == 10 and cookie["httponly"]
    factory = RequestFactory()
    factory.cookies[replicas.PIN_COOKIE] = cookie.value
    middleware(factory.get("/giao-uoc/"))
    middleware(RequestFactory().get("/giao-uoc/"))
    assert seen == [None, None, replicas.REPLICA]
