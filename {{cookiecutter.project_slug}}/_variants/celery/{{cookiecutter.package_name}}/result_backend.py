"""Celery's Redis result backend, storing each state in one round trip.

Celery's own reads the stored state first, so as not to replace a SUCCESS (a task
delivered twice, after its worker died before acknowledging it, must not go back to
STARTED), then writes and publishes the new state in a transaction: two round trips,
and more work in the worker, for each state a task reports (STARTED, then SUCCESS).
Here one Lua script does the same on the Redis server in one call, atomically. The
API's and the worker's Celery apps take it for ``redis://`` and ``rediss://`` result
backends through ``Loader``.
"""

from functools import cached_property
from typing import Any, ClassVar

from celery import states
from celery.backends.redis import RedisBackend
from celery.exceptions import BackendStoreError
from celery.loaders.app import AppLoader
from kombu.utils.encoding import bytes_to_str

# KEYS[1]: the task's key; ARGV[1]: the encoded state; ARGV[2]: seconds until it
# expires ("0": never). Returns 0 when a SUCCESS is there and kept, 1 once the state
# is written and published, and -1 (UNREAD), writing nothing, when the stored value is
# not JSON that Lua's cjson reads (compressed, another serializer, a lone surrogate).
_STORE_UNLESS_SUCCEEDED = """
local stored = redis.call('GET', KEYS[1])
if stored then
  local decoded, meta = pcall(cjson.decode, stored)
  if not decoded or type(meta) ~= 'table' then
    return -1
  end
  if meta['status'] == 'SUCCESS' then
    return 0
  end
end
if ARGV[2] == '0' then
  redis.call('SET', KEYS[1], ARGV[1])
else
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
end
redis.call('PUBLISH', KEYS[1], ARGV[1])
return 1
"""
UNREAD = -1


class OneTripRedisBackend(RedisBackend):
    """``RedisBackend`` whose ``store_result`` costs one round trip.

    It stores the same key, value and expiry as Celery's, publishes the same message
    to ``AsyncResult.get()``, and keeps the same rule that a SUCCESS is never
    replaced, checked by the server. Where the stored value is one the script cannot
    read, it falls back to Celery's own two round trips. Raises what Celery's does:
    ``BackendStoreError`` for a value too large for Redis, redis-py's
    ``ConnectionError`` at once when Redis cannot be reached (Celery's own read before
    the write is not retried either), ``ResponseError`` for a negative expiry.
    """

    def _store_result(
        self,
        task_id: str,
        result: Any,
        state: str,
        traceback: str | None = None,
        request: Any = None,
        **kwargs: Any,
    ) -> Any:
        meta = self._get_result_meta(
            result=result, state=state, traceback=traceback, request=request
        )
        meta["task_id"] = bytes_to_str(task_id)
        value = self.encode(meta)
        if isinstance(value, str) and len(value) > self._MAX_STR_VALUE_SIZE:
            raise BackendStoreError(
                "value too large for Redis backend", state=state, task_id=task_id
            )
        expires = self.failure_expires if state == states.FAILURE else self.expires
        key = self.get_key_for_task(task_id)
        if self._store(key, value, expires) == UNREAD:
            return super()._store_result(
                task_id, result, state, traceback, request, **kwargs
            )
        return result

    @cached_property
    def _store_script(self) -> Any:
        # redis-py loads the script on the server again if it was flushed.
        return self.client.register_script(_STORE_UNLESS_SUCCEEDED)

    def _store(self, key: bytes, value: str | bytes, expires: float | None) -> int:
        seconds = str(int(expires)) if expires else "0"
        outcome: int = self._store_script(keys=[key], args=[value, seconds])
        return outcome


class Loader(AppLoader):
    """Celery's default loader, which makes Redis result backends OneTripRedisBackend.

    Pass it as ``Celery(loader=Loader)``. The mapping is Celery's
    ``override_backends``, set on the loader rather than in the configuration: with
    ``CELERY_RESULT_BACKEND`` set, Celery reads that variable and makes the backend
    without loading the configuration, so an ``override_backends`` there would not be
    seen in time.
    """

    override_backends: ClassVar[dict[str, str]] = {
        scheme: f"{__name__}:{OneTripRedisBackend.__name__}"
        for scheme in ("redis", "rediss")
    }
