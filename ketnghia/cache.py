"""Redis fails; the site does not (docs/deploy.md, "When a service fails").

ResilientRedisCache is Django's Redis cache whose every operation answers as a miss while Redis
fails (a read finds nothing, a write keeps nothing and says so): it logs the outage once, and
leaves Redis alone for RETRY_SECONDS before trying again, so that a Redis that hangs costs a
worker one short time-out now and then, not one per call. Meanwhile the page cache computes
every page (ketnghia.pagecache), the thumbnails' names are read from the database (sorl's
cached_db store), saves go through (the data is in the database, not in Redis), and /readyz
reports the cache as down (ketnghia.health). When Redis answers again, it is used again.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.dispatch import Signal
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Sent when this process sees Redis answer again after it failed (ketnghia.pagecache owes a bump
# of every page then).
answers_again = Signal()

# Seconds Redis is left alone after it failed; a short time-out for each call, so that a Redis
# that hangs (rather than refuses) never holds a request for long.
RETRY_SECONDS = 5
SOCKET_TIMEOUT = 0.5


class _Outage:
    """When Redis last failed, for one process: calls skip it until `until`."""

    def __init__(self, name):
        self.name = name
        self.until = 0.0
        self.down = False

    def skipping(self):
        return self.down and time.monotonic() < self.until

    def failed(self, error):
        if not self.down:
            logger.warning("%s: Redis does not answer (%s); going on without it", self.name, error)
        self.down = True
        self.until = time.monotonic() + RETRY_SECONDS

    def answered(self):
        if self.down:
            logger.warning("%s: Redis answers again", self.name)
            self.down = False
            answers_again.send(sender=type(self))


def _guarded(method, fallback):
    """`method` of the cache, answering `fallback(*args, **kwargs)` while Redis fails."""

    def guarded(self, *args, **kwargs):
        if self.outage.skipping():
            return fallback(*args, **kwargs)
        try:
            result = method(self, *args, **kwargs)
        except RedisError as error:
            self.outage.failed(error)
            return fallback(*args, **kwargs)
        self.outage.answered()
        return result

    guarded.__name__ = method.__name__
    guarded.__doc__ = method.__doc__
    return guarded


def _missing_key(*args, **kwargs):
    raise ValueError("Redis does not answer: the key is taken as missing")


def _get_default(key, default=None, version=None):
    return default


def _set_many_failed(data, *args, **kwargs):
    return list(data)  # every key failed


class OneClientPerPool(RedisCacheClient):
    """Django's Redis client, which makes a redis.Redis for every call, its table of response
    callbacks included: more than half of a call's time on a server nearby. One per connection
    pool here, made at the first call: a redis.Redis is safe to share between threads, its pool
    lends each command a connection (and starts again in a forked process)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._pool_at(index))
        return client

    def _pool_at(self, index):
        # Django's _get_connection_pool, for the server chosen above (it chooses one itself).
        if index not in self._pools:
            self._pools[index] = self._pool_class.from_url(
                self._servers[index], **self._pool_options
            )
        return self._pools[index]


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        options.setdefault("socket_connect_timeout", SOCKET_TIMEOUT)
        options.setdefault("socket_timeout", SOCKET_TIMEOUT)
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = OneClientPerPool
        self.outage = _Outage("cache")

    add = _guarded(RedisCache.add, lambda *args, **kwargs: False)
    get = _guarded(RedisCache.get, _get_default)
    set = _guarded(RedisCache.set, lambda *args, **kwargs: None)
    touch = _guarded(RedisCache.touch, lambda *args, **kwargs: False)
    delete = _guarded(RedisCache.delete, lambda *args, **kwargs: False)
    get_many = _guarded(RedisCache.get_many, lambda *args, **kwargs: {})
    has_key = _guarded(RedisCache.has_key, lambda *args, **kwargs: False)
    incr = _guarded(RedisCache.incr, _missing_key)
    set_many = _guarded(RedisCache.set_many, _set_many_failed)
    delete_many = _guarded(RedisCache.delete_many, lambda *args, **kwargs: None)
    clear = _guarded(RedisCache.clear, lambda *args, **kwargs: None)
