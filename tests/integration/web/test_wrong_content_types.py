"""A body of another kind than the route takes (a form or a file sent to a JSON route,
text or XML to a form) is answered at once, never with a hang or a server error; an API
route that refuses it says so as problem details. A route that takes JSON answers any
other body with 415 Unsupported Media Type, saying that it takes JSON.

A multipart form sent to a JSON route used to wait forever: the input guard read the
form from the stream and the handler then waited for a body that had already gone by,
until the person gave up. The test client here gives up at once (it says "disconnected"
when asked for more than the body), so such a wait shows as a server error, not a hang.
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar.routes import HTTPRoute
from litestar.testing import transport

from survey.app import create_app
from survey.web.input import takes_json
from tests.integration.assessments.helpers import manager_with_assessment, nl

ITEM = "vb-missie"
STATE_CHANGES = ("POST", "PUT", "PATCH", "DELETE")
BODIES: dict[str, dict[str, Any]] = {
    "multipart form with a file": {
        "files": {"file": ("a.pdf", b"%PDF-1.4 x", "application/pdf")},
        "data": {"kind": "file", "note": "x"},
    },
    "multipart form": {"files": {"note": (None, b"x")}},
    "url-encoded form": {"data": {"note": "x", "value": "3"}},
    "text": {"content": b"note=x", "headers": {"content-type": "text/plain"}},
    "xml": {"content": b"<note>x</note>", "headers": {"content-type": "application/xml"}},
}


def state_changing_routes() -> list[tuple[str, str, bool]]:
    """(method, path, whether its handler takes a JSON body) of every state change."""
    app = create_app()
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or "{unknown" in route.path:
            continue
        for method in sorted(route.methods & set(STATE_CHANGES)):
            if not route.path.endswith(("logout", "/login")):
                handler = next(h for h in route.route_handlers if method in h.http_methods)
                found.append((method, route.path_format, takes_json(handler)))
    return found


def test_the_json_routes_are_found() -> None:
    json_routes = {(m, p) for m, p, json in state_changing_routes() if json}
    assert ("PUT", "/api/v1/assessments/{assessment_id}/answers/{item_id}") in json_routes
    assert not any(not p.startswith("/api/") for _m, p in json_routes)  # HTML takes forms
    file_upload = "/api/v1/assessments/{assessment_id}/evidence/{item_id}/file"
    assert ("POST", file_upload) not in json_routes  # a multipart form


@pytest.fixture
def impatient_client(monkeypatch: pytest.MonkeyPatch) -> None:
    """Asked for more once the whole body is sent, the client has hung up."""
    wait_for_the_answer = transport.TestClientTransport.create_receive

    def create_receive(request: Any, context: Any) -> Any:
        receive = wait_for_the_answer(request, context)

        async def hang_up_when_asked_again() -> Any:
            if context["request_complete"]:
                return {"type": "http.disconnect"}
            return await receive()

        return hang_up_when_asked_again

    monkeypatch.setattr(
        transport.TestClientTransport, "create_receive", staticmethod(create_receive)
    )


@pytest.mark.parametrize(("method", "path_format", "json"), state_changing_routes())
async def test_a_body_of_the_wrong_kind_is_answered_at_once_without_a_server_error(
    client: Any, db: Any, impatient_client: None, method: str, path_format: str, json: bool
) -> None:
    setup = await manager_with_assessment(client, db)
    path = path_format.format(
        assessment_id=setup.assessment_id,
        organisation_id=setup.organisation.id,
        item_id=ITEM,
        dimension_id="visie-en-beleid",
        provider="agentschap",
        evidence_id=1,
        invitation_id=1,
        request_id=1,
        token_id=1,
        token="x",
    )

    for kind, body in BODIES.items():
        headers = {"x-csrftoken": setup.token, **body.get("headers", {})}
        arguments = {key: value for key, value in body.items() if key != "headers"}
        response = await client.request(method, path, headers=headers, **arguments)
        assert response.status_code < 500, (kind, response.status_code, response.text[:300])
        if path.startswith("/api/") and response.status_code >= 400:
            assert response.headers["content-type"].startswith("application/problem+json")
        if json:
            assert response.status_code == 415, (kind, response.status_code, response.text[:300])
            assert response.json()["detail"] == nl(
                "Send the body as JSON, with the header Content-Type: application/json."
            )
