"""The shared cache (Redis) that an outage of Redis cannot take the site down with.

Everything kept in the cache can be made again from the database: a rendering, the exercise
library, a blank questionnaire step. So when Redis does not answer, a read is a miss and a
write is skipped (with a warning in the log), and the page is built as if nothing were kept.
"""

import logging
from functools import wraps

import redis
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)


def _forgiving(default):
    """Run a cache operation; when Redis does not answer, log it and give `default` instead."""

    def decorate(operation):
        @wraps(operation)
        def run(self, *args, **kwargs):
            try:
                return operation(self, *args, **kwargs)
            except redis.RedisError as error:
                logger.warning("The cache (Redis) did not answer %s: %s", operation.__name__, error)
                return default(*args) if callable(default) else default

        return run

    return decorate


class ForgivingRedisCacheClient(RedisCacheClient):
    add = _forgiving(False)(RedisCacheClient.add)
    get = _forgiving(lambda key, default: default)(RedisCacheClient.get)
    set = _forgiving(None)(RedisCacheClient.set)
    touch = _forgiving(False)(RedisCacheClient.touch)
    delete = _forgiving(False)(RedisCacheClient.delete)
    get_many = _forgiving(lambda keys: {})(RedisCacheClient.get_many)
    has_key = _forgiving(False)(RedisCacheClient.has_key)
    set_many = _forgiving(None)(RedisCacheClient.set_many)
    delete_many = _forgiving(None)(RedisCacheClient.delete_many)
    clear = _forgiving(False)(RedisCacheClient.clear)


class SharedRedisCache(RedisCache):
    """Django's own Redis cache, with misses instead of errors while Redis is unreachable."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ForgivingRedisCacheClient
