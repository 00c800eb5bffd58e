"""The bare Litestar baselines of ``bench/load.py`` (issue 15), served like the app.

``GET /page`` answers the HTML bytes of a real part page, read once from the file named by
``BENCH_PAGE``; ``PUT /answer`` decodes a JSON body like an autosave and answers the bytes
of the file named by ``BENCH_ANSWER`` (a real autosave answer, so the same size). Run by
the bench as ``uvicorn baseline:create_app --factory --app-dir bench --workers 2``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import msgspec
from litestar import Litestar, MediaType, Request, Response, get, put


def create_app() -> Litestar:
    page = Path(os.environ["BENCH_PAGE"]).read_bytes()
    answer = Path(os.environ["BENCH_ANSWER"]).read_bytes()

    @get("/page", media_type=MediaType.HTML)
    async def bare_page() -> Response[bytes]:
        return Response(content=page, media_type=MediaType.HTML)

    @put("/answer", status_code=200)
    async def bare_answer(request: Request[Any, Any, Any]) -> Response[bytes]:
        decoded = msgspec.json.decode(await request.body())
        if not isinstance(decoded, dict):
            return Response(content=b"{}", status_code=400, media_type=MediaType.JSON)
        return Response(content=answer, media_type=MediaType.JSON)

    return Litestar(route_handlers=[bare_page, bare_answer], debug=False)
