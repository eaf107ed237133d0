"""Retry a model call that failed before it yielded anything: rate limits, overload, server errors.

Once an event has been yielded the call is never retried (the user already saw part of the answer; the
agent decides). The provider's hint is used when readable (retry-after, retry-after-ms, Gemini
RetryInfo); otherwise exponential backoff 1 s, 2 s, 4 s ... A hint longer than `max_wait` is not waited
for: the error goes straight to the user, who can retry later. `sleep` is injectable so tests are fast.
"""

from __future__ import annotations

import asyncio
from typing import AsyncIterator, Awaitable, Callable, Optional

from app.chat.events import Event, ProviderError

Sleep = Callable[[float], Awaitable[None]]


def backoff(attempt: int, hint: Optional[float], base: float = 1.0, cap: float = 30.0) -> float:
    if hint is not None:
        return hint
    return min(cap, base * (2**attempt))


async def retrying(
    attempt: Callable[[], AsyncIterator[Event]],
    *,
    sleep: Optional[Sleep] = None,
    max_attempts: int = 3,
    base_delay: float = 1.0,
    max_wait: float = 60.0,
) -> AsyncIterator[Event]:
    sleep = sleep or asyncio.sleep
    for n in range(max_attempts):
        started = False
        try:
            async for event in attempt():
                started = True
                yield event
            return
        except ProviderError as exc:
            if started or not exc.retryable or n == max_attempts - 1:
                if not started and exc.retryable and n > 0:
                    exc.message = exc.message + " (Tried %d times.)" % (n + 1)
                    exc.args = (exc.message,)
                raise
            delay = backoff(n, exc.retry_after, base_delay)
            if delay > max_wait:
                raise
            await sleep(delay)
