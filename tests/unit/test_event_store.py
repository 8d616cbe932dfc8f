"""The HTTP event store: what a reconnecting client is sent again, and how much is kept."""

from __future__ import annotations

from mcp.server.streamable_http import EventMessage
from mcp.types import JSONRPCNotification

from higgsfield_mcp.event_store import BoundedEventStore


def _note(n: int) -> JSONRPCNotification:
    return JSONRPCNotification(jsonrpc="2.0", method="notifications/progress", params={"progress": n})


async def _replay(store: BoundedEventStore, after: str) -> tuple[str | None, list[EventMessage]]:
    sent: list[EventMessage] = []

    async def send(event: EventMessage) -> None:
        sent.append(event)

    return await store.replay_events_after(after, send), sent


async def test_a_reconnecting_client_gets_what_came_after_on_its_own_stream() -> None:
    store = BoundedEventStore()
    priming = await store.store_event("call-a", None)
    first = await store.store_event("call-a", _note(1))
    await store.store_event("call-b", _note(99))  # another call's stream
    second = await store.store_event("call-a", _note(2))
    stream, sent = await _replay(store, priming)
    assert stream == "call-a"
    assert [e.event_id for e in sent] == [first, second], "in order, without the other stream or the priming row"
    stream, sent = await _replay(store, second)
    assert stream == "call-a" and sent == []


async def test_an_unknown_or_forgotten_id_replays_nothing() -> None:
    store = BoundedEventStore(max_events=3)
    old = await store.store_event("s", _note(0))
    for n in range(1, 4):
        await store.store_event("s", _note(n))
    assert store.size == 3
    assert await _replay(store, old) == (None, [])
    assert await _replay(store, "no-such-id") == (None, [])


async def test_old_events_are_forgotten() -> None:
    now = [1000.0]
    store = BoundedEventStore(max_age=60, clock=lambda: now[0])
    await store.store_event("s", _note(0))
    now[0] += 61
    await store.store_event("s", _note(1))
    assert store.size == 1


async def test_an_empty_store_still_counts_as_a_store() -> None:
    """The SDK sends priming events only `if event_store`: an empty one must not be falsy."""
    assert BoundedEventStore()
