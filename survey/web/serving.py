"""How the server speaks HTTP: uvicorn's h11 protocol with Nagle's algorithm turned off.

With ``--workers`` uvicorn binds the listening socket itself as ``socket.socket(family)``,
whose protocol number is 0, and asyncio sets ``TCP_NODELAY`` only on sockets that say
``IPPROTO_TCP``: the accepted connections kept Nagle's algorithm on. A response goes out
in two writes (head, then body), so its body waited for the client's delayed ACK: about
40 ms on every request, also behind a reverse proxy on the same host. Each connection
turns it off here (the protocol is named by ``survey serve`` and by the bench's bare
baseline, so both run on the same server settings).
"""

from __future__ import annotations

import asyncio
import gc
import socket
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol


def no_delay(transport: asyncio.BaseTransport) -> None:
    """Send small writes at once on a TCP ``transport`` (no-op for a Unix socket)."""
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class NoDelayH11Protocol(H11Protocol):
    """uvicorn's h11 protocol on a connection with ``TCP_NODELAY``."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        no_delay(transport)
        super().connection_made(transport)


HTTP_PROTOCOL = f"{__name__}:{NoDelayH11Protocol.__name__}"
"""The protocol as uvicorn's ``--http`` option names it."""


def freeze_start_up_objects(_app: Any) -> None:
    """Keep what start-up built (modules, questionnaire definitions, catalogues, compiled
    code) out of the cycle collector's full passes. Under load those passes walked all of
    it: 180-360 ms each, twice a minute per worker, with every request of the worker
    stalled meanwhile (the autosave p99). Run as the last start-up hook. No collection
    first: it would cost every start (each test starts an app), and the little garbage
    start-up leaves is freed with the rest at shutdown (:func:`unfreeze_objects`)."""
    gc.freeze()


def unfreeze_objects(_app: Any) -> None:
    """At shutdown the frozen objects become collectable again (an app built and stopped
    many times in one process, as in the tests, would otherwise keep every one)."""
    gc.unfreeze()
