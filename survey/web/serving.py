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
import socket

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
