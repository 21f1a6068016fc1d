"""Shared send limits: a token bucket per sender and a daily quota per channel.

With ``REDIS_URL`` set the state lives in Redis, so every worker on every machine shares one bucket
(a Lua script takes a token atomically). Without it (the embedded default) it lives in this
process, which is right only for the single process of ``make run``.

The bucket holds at most one token: a sender configured for R messages a second is never handed
two tokens closer than 1/R seconds apart, so no one-second window sees more than R (+1 at its
edge) — bursts are what get a sender throttled or filtered by operators.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings

BUCKET_SCRIPT = """
-- ARGV[1]: microseconds between two tokens. Times are integer microseconds of Redis' clock, not
-- the workers': machines must agree on "now". Returns the seconds to wait ("0": take it).
local key, interval = KEYS[1], tonumber(ARGV[1])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local next_free = tonumber(redis.call('GET', key) or '0')
if next_free <= now then
  local expire_ms = math.ceil(interval / 1000) + 1000
  redis.call('SET', key, string.format('%.0f', now + interval), 'PX', expire_ms)
  return '0'
end
return string.format('%.6f', (next_free - now) / 1000000)
"""

QUOTA_TAKE = """
local used = redis.call('INCR', KEYS[1])
if used == 1 then redis.call('EXPIRE', KEYS[1], 172800) end
if used > tonumber(ARGV[1]) then
  redis.call('DECR', KEYS[1])
  return 0
end
return 1
"""


@dataclass(frozen=True)
class SenderLimits:
    sender: str
    rate: float  # messages per second
    daily_quota: int | None


def sender_limits(channel: str) -> SenderLimits:
    config: dict[str, Any] = settings.OUTREACH_SENDERS.get(channel, {})
    return SenderLimits(
        sender=str(config.get("sender") or channel),
        rate=float(config.get("rate") or 1),
        daily_quota=config.get("daily_quota"),
    )


class RedisLimiter:
    def __init__(self, url: str, prefix: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url)
        self.prefix = prefix
        self._take = self.client.register_script(BUCKET_SCRIPT)
        self._quota = self.client.register_script(QUOTA_TAKE)

    def wait_for_token(self, limits: SenderLimits) -> None:
        key = f"{self.prefix}:bucket:{limits.sender}"
        while True:
            wait = float(self._take(keys=[key], args=[max(1, round(1e6 / limits.rate))]))
            if wait <= 0:
                return
            time.sleep(wait)

    def take_quota(self, limits: SenderLimits, day: str) -> bool:
        if limits.daily_quota is None:
            return True
        key = f"{self.prefix}:quota:{limits.sender}:{day}"
        return bool(self._quota(keys=[key], args=[limits.daily_quota]))

    def quota_used(self, limits: SenderLimits, day: str) -> int:
        return int(self.client.get(f"{self.prefix}:quota:{limits.sender}:{day}") or 0)

    def reset(self) -> None:
        for key in self.client.scan_iter(f"{self.prefix}:*"):
            self.client.delete(key)


class LocalLimiter:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.next_free: dict[str, float] = {}
        self.used: dict[tuple[str, str], int] = {}

    def wait_for_token(self, limits: SenderLimits) -> None:
        while True:
            with self.lock:
                now = time.monotonic()
                next_free = self.next_free.get(limits.sender, 0.0)
                if next_free <= now:
                    self.next_free[limits.sender] = now + 1.0 / limits.rate
                    return
                wait = next_free - now
            time.sleep(wait)

    def take_quota(self, limits: SenderLimits, day: str) -> bool:
        if limits.daily_quota is None:
            return True
        with self.lock:
            used = self.used.get((limits.sender, day), 0)
            if used >= limits.daily_quota:
                return False
            self.used[(limits.sender, day)] = used + 1
            return True

    def quota_used(self, limits: SenderLimits, day: str) -> int:
        return self.used.get((limits.sender, day), 0)

    def reset(self) -> None:
        with self.lock:
            self.next_free.clear()
            self.used.clear()


@lru_cache(maxsize=1)
def limiter() -> RedisLimiter | LocalLimiter:
    if settings.REDIS_URL:
        return RedisLimiter(settings.REDIS_URL, settings.OUTREACH_LIMIT_PREFIX)
    return LocalLimiter()
