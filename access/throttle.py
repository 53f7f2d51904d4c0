"""Slowing down repeated failed sign-ins, per user name and per client (a browser's address).

A few mistakes cost nothing. After ``FREE_FAILURES`` failures for one user name, or
``FREE_CLIENT_FAILURES`` from one client, the next attempt must wait ``FIRST_WAIT_SECONDS`` (30 s),
and every further failure doubles the wait (60 s, 120 s ...), up to ``LOCK_SECONDS`` (15 minutes): a password cannot be guessed by
trying thousands. A successful sign-in clears its user name's count; counts are forgotten
``FORGET_SECONDS`` after the last failure. Counts live in the server process (a restart clears
them), which is enough for one council server; SECURITY.md says so.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "SignInThrottle",
    "FREE_FAILURES",
    "FREE_CLIENT_FAILURES",
    "FIRST_WAIT_SECONDS",
    "LOCK_SECONDS",
    "sign_in_throttle",
]

FREE_FAILURES = 5  # per user name, before any wait
FREE_CLIENT_FAILURES = 20  # per client: several people may share one address (a council's proxy)
FIRST_WAIT_SECONDS = 30  # the wait after the free failures, doubled by each further failure
LOCK_SECONDS = 15 * 60  # the longest wait, seconds
FORGET_SECONDS = 60 * 60  # a count is dropped an hour after its last failure
_MAX_KEYS = 100_000  # bounded memory even under a flood of made-up names


@dataclass
class _Count:
    failures: int = 0
    last: float = 0.0


class SignInThrottle:
    """Counts failed sign-ins by user name and by client; says how long the next attempt must wait.

    Parameters
    ----------
    free_failures, free_client_failures : failures allowed before waits start (user name, client).
    first_wait_seconds : the first wait, seconds; each further failure doubles it.
    lock_seconds : the longest wait, seconds.
    clock : seconds, monotonic (``time.monotonic``); a test passes its own.
    """

    def __init__(
        self,
        *,
        free_failures: int = FREE_FAILURES,
        free_client_failures: int = FREE_CLIENT_FAILURES,
        first_wait_seconds: float = FIRST_WAIT_SECONDS,
        lock_seconds: float = LOCK_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if free_failures < 0 or free_client_failures < 0 or first_wait_seconds <= 0 or lock_seconds <= 0:
            raise ValueError("free failures must be 0 or more, first_wait_seconds and lock_seconds positive")
        self.first_wait = float(first_wait_seconds)
        self.free = {"user": free_failures, "client": free_client_failures}
        self.lock_seconds = float(lock_seconds)
        self._clock = clock
        self._counts: dict[tuple[str, str], _Count] = {}
        self._lock = threading.Lock()

    def _keys(self, user: str | None, client: str | None) -> list[tuple[str, str]]:
        keys = []
        if user:
            keys.append(("user", str(user).strip().lower()[:128]))
        if client:
            keys.append(("client", str(client)[:128]))
        return keys

    def _wait(self, key: tuple[str, str], now: float) -> float:
        count = self._counts.get(key)
        if count is None or now - count.last > FORGET_SECONDS:
            return 0.0
        over = count.failures - self.free[key[0]]
        if over < 0:
            return 0.0
        delay = min(self.lock_seconds, self.first_wait * 2.0 ** min(over, 30))
        return max(0.0, count.last + delay - now)

    def wait_seconds(self, user: str | None, client: str | None) -> float:
        """Seconds before ``user`` may try again from ``client`` (0: try now)."""
        now = self._clock()
        with self._lock:
            return max((self._wait(k, now) for k in self._keys(user, client)), default=0.0)

    def failed(self, user: str | None, client: str | None) -> None:
        """Count one failed attempt for the user name and for the client."""
        now = self._clock()
        with self._lock:
            if len(self._counts) >= _MAX_KEYS:
                self._counts = {k: c for k, c in self._counts.items() if now - c.last <= FORGET_SECONDS}
            for key in self._keys(user, client):
                count = self._counts.setdefault(key, _Count())
                if now - count.last > FORGET_SECONDS:
                    count.failures = 0
                count.failures += 1
                count.last = now

    def succeeded(self, user: str | None) -> None:
        """A right password: the user name's count starts again (the client's stays)."""
        with self._lock:
            for key in self._keys(user, None):
                self._counts.pop(key, None)

    def clear(self) -> None:
        """Forget every count (an administrator's reset; tests start from it)."""
        with self._lock:
            self._counts.clear()


_SHARED = SignInThrottle()


def sign_in_throttle() -> SignInThrottle:
    """The server process's one throttle, shared by every session."""
    return _SHARED
