"""Resumable HTTP streams: the last few thousand SSE events, kept in memory.

A tool call over `--http` can run for the whole wait (40 s by default) while progress
and then the result travel on its SSE stream. When the connection drops in between (a
laptop changing networks, a proxy closing an idle stream) the client reconnects with
`Last-Event-ID` and this store replays what it missed, so the result of a paid job is
not lost with the connection. Each stream starts with a priming event (an id and the
retry interval), which is what tells a client it may reconnect at all.

Bounded on purpose: a server left running for weeks keeps at most `max_events` events
and forgets streams older than `max_age` seconds; a client that comes back later than
that finds its result with `jobs` (the journal is the durable record, this is not).
"""

from __future__ import annotations

import itertools
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from mcp.server.streamable_http import EventCallback, EventId, EventMessage, EventStore, StreamId
from mcp.types import JSONRPCMessage

RETRY_MILLISECONDS = 2000
"""What the priming event asks a client to wait before reconnecting."""


@dataclass(frozen=True)
class _Event:
    stream_id: StreamId
    message: JSONRPCMessage | None
    stored_at: float


class BoundedEventStore(EventStore):
    def __init__(
        self, *, max_events: int = 5000, max_age: float = 15 * 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._clock = clock
        self._events: OrderedDict[EventId, _Event] = OrderedDict()
        self._ids = itertools.count(1)
        self._max_events = max_events
        self._max_age = max_age

    @property
    def size(self) -> int:
        """Events held now (no __len__: the SDK tests the store for truth, and an empty one must count)."""
        return len(self._events)

    async def store_event(self, stream_id: StreamId, message: JSONRPCMessage | None) -> EventId:
        event_id = str(next(self._ids))
        self._events[event_id] = _Event(stream_id, message, self._clock())
        self._forget_old()
        return event_id

    async def replay_events_after(self, last_event_id: EventId, send_callback: EventCallback) -> StreamId | None:
        """Send the events of `last_event_id`'s stream that came after it; None when it is unknown or forgotten."""
        last = self._events.get(last_event_id)
        if last is None:
            return None
        after = False
        for event_id, event in list(self._events.items()):
            if event_id == last_event_id:
                after = True
            elif after and event.stream_id == last.stream_id and event.message is not None:
                await send_callback(EventMessage(event.message, event_id))
        return last.stream_id

    def _forget_old(self) -> None:
        oldest = self._clock() - self._max_age
        while self._events:
            first = next(iter(self._events.values()))
            if len(self._events) <= self._max_events and first.stored_at >= oldest:
                break
            self._events.popitem(last=False)
