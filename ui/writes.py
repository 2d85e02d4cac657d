"""Engine calls that write events to the store, off the UI thread, one at a time, in order.

A key press that records an event (a procedure step ticked, a trainee's
measurement) must not hold the UI thread while the database answers (a
shared PostgreSQL, a busy SQLite file). Each call runs in a thread worker;
a call submitted while another runs waits its turn (first in, first out), so
the events reach the store in the order of the key presses and two writes
never run at once.

A :class:`~diagnosis.errors.DiagnosisError` (a refused action, a store that
cannot write) goes to ``on_error`` on the UI thread: a message, never a
traceback. Nothing is half-done: a session folds an event only once the
store took it, so the technician sees the step still unticked and may do it
again. Any other exception is a bug and is left to Textual (it ends the app
with its traceback, as in any worker).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from textual.dom import DOMNode

from diagnosis.errors import DiagnosisError

__all__ = ["OrderedWrites"]

T = TypeVar("T")
GROUP = "store-write"


def _nothing(_result: object) -> None:
    """The default continuation: nothing to do once written."""


class OrderedWrites:
    """A first-in, first-out queue of engine calls, each run in a thread worker of ``node``.

    Args:
        node: the screen or dialog whose workers run the calls (and whose
            messages are shown).
        on_error: shows a refused or failed call's error, on the UI thread.
    """

    def __init__(self, node: DOMNode, on_error: Callable[[DiagnosisError], None]) -> None:
        self._node = node
        self._on_error = on_error
        self._queue: deque[
            tuple[Callable[[], Any], Callable[[Any], None], Callable[[DiagnosisError], None]]
        ] = deque()
        self._running = False

    @property
    def busy(self) -> bool:
        """A call is running or waiting."""
        return self._running or bool(self._queue)

    def submit(
        self,
        call: Callable[[], T],
        then: Callable[[T], None] = _nothing,
        on_error: Callable[[DiagnosisError], None] | None = None,
    ) -> None:
        """Run ``call`` after those submitted before it; then ``then(result)`` on the UI thread.

        ``then`` is not called when ``call`` raises a DiagnosisError: ``on_error``
        (this call's, else the queue's) is.
        """
        self._queue.append((call, then, on_error or self._on_error))
        if not self._running:
            self._next()

    def _next(self) -> None:
        if not self._queue:
            self._running = False
            return
        self._running = True
        call, then, on_error = self._queue.popleft()
        self._node.run_worker(
            partial(self._run, call, then, on_error), thread=True, group=GROUP, name="store write"
        )

    def _run(
        self,
        call: Callable[[], Any],
        then: Callable[[Any], None],
        on_error: Callable[[DiagnosisError], None],
    ) -> None:
        """The worker thread: the engine call, then the answer back on the UI thread."""
        app = self._node.app
        try:
            result = call()
        except DiagnosisError as exc:
            app.call_from_thread(self._finish, partial(on_error, exc))
            return
        app.call_from_thread(self._finish, partial(then, result))

    def _finish(self, answer: Callable[[], None]) -> None:
        try:
            answer()
        finally:
            self._next()
