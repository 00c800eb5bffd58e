"""The error answers of the API in its OpenAPI document, from what each operation can meet.

Litestar documents a handler's success and its validation error (as plain JSON); the
answers that come from the platform's rules are added here, all as
``application/problem+json`` (see :mod:`survey.errors`):

- 400 invalid input, on every operation with parameters or a body;
- 401 not logged in and 403 not allowed, on every operation that needs a login; 403 also
  for a missing CSRF token on every state change that checks it;
- 404 another organisation's or no object, on every operation with a login and an id
  or a parameter that names an object (a round);
- 409 a state that does not allow the change, on state changes of an object;
- 413 a body beyond the size limit, on every operation with a body;
- 415 a body that is not JSON, on every operation that takes a JSON body;
- 429 too many attempts, on the rate-limited paths.

A 204 answer has no body, so it documents none. The input the platform refuses as a
whole is also said in the document: no text of a parameter or a JSON body holds a NUL
(:mod:`survey.web.input`), and a JSON body takes no fields beyond its own (its Structs
forbid unknown fields). A union of an integer and a number (an answer's value) is an
``anyOf``: Litestar writes ``oneOf``, which a whole number, being both, would break.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping

from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Parameter,
    Reference,
    RequestBody,
    Schema,
)
from litestar.routes import HTTPRoute

from survey.web.input import takes_json

PROBLEM_MEDIA_TYPE = "application/problem+json"
NO_NUL = r"^[^\x00]*$"  # what survey.web.input lets through
STATE_CHANGES = frozenset({"POST", "PUT", "PATCH", "DELETE"})

PROBLEM_SCHEMA = Schema(
    type=OpenAPIType.OBJECT,
    description="Problem details (RFC 9457); `errors` maps each invalid field to its message.",
    required=["type", "title", "status"],
    properties={
        "type": Schema(type=OpenAPIType.STRING),
        "title": Schema(type=OpenAPIType.STRING),
        "status": Schema(type=OpenAPIType.INTEGER),
        "detail": Schema(type=OpenAPIType.STRING),
        "errors": Schema(
            one_of=[
                Schema(
                    type=OpenAPIType.OBJECT,
                    additional_properties=Schema(type=OpenAPIType.STRING),
                ),
                Schema(type=OpenAPIType.ARRAY, items=Schema()),
            ]
        ),
    },
    additional_properties=True,
)

FILE_SCHEMA = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)

DESCRIPTIONS = {
    400: "Invalid input; `errors` names each field.",
    401: "Not logged in.",
    403: "Not allowed for the caller's role, the CSRF token is missing or wrong, or the request comes from another site.",
    404: "No such object, or one of another organisation.",
    409: "The object's state does not allow this (stale revision, submitted, round closed, exists).",
    413: "The body is larger than allowed.",
    415: "The body is not JSON: send it with `Content-Type: application/json`.",
    429: "Too many attempts; see `Retry-After`.",
}


NEEDS_LOGIN = "needs_login"
"""Route opt for a handler that takes an optional caller but answers 401 without one (a
session or another credential, such as a read-only token)."""


def _statuses(
    route: HTTPRoute,
    method: str,
    handler: HTTPRouteHandler,
    operation: Operation,
    csrf_exempt: Collection[str],
    limited: Collection[str],
) -> set[int]:
    logged_in = "user" in handler.parsed_fn_signature.parameters or bool(
        handler.opt.get(NEEDS_LOGIN)
    )
    has_body = operation.request_body is not None
    has_ids = bool(route.path_parameters) or has_body
    statuses: set[int] = set()
    if operation.parameters or has_body:
        statuses.add(400)
    if logged_in:
        statuses |= {401, 403}
    login = route.path.endswith("login") and method in STATE_CHANGES
    if login:  # wrong e-mail address or password; a cross-site origin; not JSON
        statuses |= {401, 403, 415}
    if method in STATE_CHANGES and not any(re.search(p, route.path) for p in csrf_exempt):
        statuses.add(403)
    # An id in the path or body, or a name in the query (a round, a questionnaire).
    if logged_in and (has_ids or operation.parameters):
        statuses.add(404)
    if logged_in and has_ids and method in STATE_CHANGES:
        statuses.add(409)
    if has_body:
        statuses.add(413)
    if has_body and takes_json(handler):
        statuses.add(415)
    if route.path in limited and method in STATE_CHANGES:
        statuses.add(429)
    return statuses


def _is_text(schema: Schema) -> bool:
    types = schema.type if isinstance(schema.type, list) else [schema.type]
    return OpenAPIType.STRING in types and schema.format is None and schema.pattern is None


def _refuse_nul_and_unknown_fields(
    schema: Schema | Reference | None, components: dict[str, Schema], seen: set[str]
) -> None:
    """Mark every text of ``schema`` as NUL-free and every object as closed, following refs."""
    if isinstance(schema, Reference):
        name = schema.ref.rsplit("/", 1)[-1]
        if name in seen or name not in components:
            return
        seen.add(name)
        schema = components[name]
    if schema is None:
        return
    if _is_text(schema):
        schema.pattern = NO_NUL
    if schema.properties:
        if schema.additional_properties is None:
            schema.additional_properties = False
        for inner in schema.properties.values():
            _refuse_nul_and_unknown_fields(inner, components, seen)
    for group in (schema.one_of, schema.any_of, schema.all_of):
        for inner in group or []:
            _refuse_nul_and_unknown_fields(inner, components, seen)
    if isinstance(schema.items, Schema | Reference):
        _refuse_nul_and_unknown_fields(schema.items, components, seen)


def _types(schema: Schema | Reference) -> set[OpenAPIType]:
    if not isinstance(schema, Schema) or schema.type is None:
        return set()
    return {schema.type} if isinstance(schema.type, OpenAPIType) else set(schema.type)


def _unions_of_numbers_as_any_of(schema: Schema | Reference | None, seen: set[int]) -> None:
    """Every ``oneOf`` of ``schema`` that holds both an integer and a number becomes an
    ``anyOf``: 3 is both, so ``oneOf`` would refuse it."""
    if not isinstance(schema, Schema) or id(schema) in seen:
        return
    seen.add(id(schema))
    if schema.one_of:
        members = set().union(*(_types(member) for member in schema.one_of))
        if {OpenAPIType.INTEGER, OpenAPIType.NUMBER} <= members:
            schema.any_of, schema.one_of = schema.one_of, None
    inner: list[Schema | Reference | None] = [*(schema.properties or {}).values()]
    for group in (schema.one_of, schema.any_of, schema.all_of, schema.prefix_items):
        inner.extend(group or [])
    inner.append(schema.items if isinstance(schema.items, Schema | Reference) else None)
    if isinstance(schema.additional_properties, Schema | Reference):
        inner.append(schema.additional_properties)
    for member in inner:
        _unions_of_numbers_as_any_of(member, seen)


def _operation_schemas(operation: Operation) -> Iterator[Schema | Reference | None]:
    for parameter in operation.parameters or []:
        if isinstance(parameter, Parameter):
            yield parameter.schema
    bodies = [operation.request_body, *(operation.responses or {}).values()]
    for body in bodies:
        if isinstance(body, RequestBody | OpenAPIResponse):
            yield from (media.schema for media in (body.content or {}).values())


def _describe_input(operation: Operation, components: dict[str, Schema], seen: set[str]) -> None:
    for parameter in operation.parameters or []:
        if isinstance(parameter, Parameter):
            _refuse_nul_and_unknown_fields(parameter.schema, components, seen)
    body = operation.request_body
    if isinstance(body, RequestBody) and "application/json" in body.content:
        _refuse_nul_and_unknown_fields(body.content["application/json"].schema, components, seen)


def document_problems(
    app: Litestar,
    csrf_exempt: Collection[str] = (),
    limited: Collection[str] = (),
    files: Mapping[str, Collection[str]] | None = None,
) -> None:
    """``csrf_exempt``: the CSRF configuration's path patterns; ``limited``: rate-limited
    paths; ``files``: the media types of the file a path answers (an export) by path.

    Add the problem answers to every API operation of ``app``'s OpenAPI document
    (built once and kept by Litestar), drop the body of 204 answers, and say which files
    an operation answers with instead of JSON."""
    openapi = app.openapi_schema
    assert openapi.components is not None and openapi.paths is not None
    components = openapi.components.schemas = openapi.components.schemas or {}
    components["Problem"] = PROBLEM_SCHEMA
    seen: set[str] = set()
    unions_seen: set[int] = set()
    problem = OpenAPIMediaType(schema=Reference(ref="#/components/schemas/Problem"))
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path_format not in openapi.paths:
            continue
        path_item = openapi.paths[route.path_format]
        for handler in route.route_handlers:
            for method in handler.http_methods:
                operation: Operation | None = getattr(path_item, method.lower(), None)
                if operation is None or not handler.include_in_schema:
                    continue
                _describe_input(operation, components, seen)
                responses = operation.responses = operation.responses or {}
                for status in sorted(
                    _statuses(route, method, handler, operation, csrf_exempt, limited)
                ):
                    existing = responses.get(str(status))
                    description = (
                        existing.description
                        if isinstance(existing, OpenAPIResponse) and status != 400
                        else DESCRIPTIONS[status]
                    )
                    responses[str(status)] = OpenAPIResponse(
                        description=description, content={PROBLEM_MEDIA_TYPE: problem}
                    )
                success = responses.get("200")
                if isinstance(success, OpenAPIResponse) and route.path in (files or {}):
                    success.content = {
                        media_type: OpenAPIMediaType(schema=FILE_SCHEMA)
                        for media_type in (files or {})[route.path]
                    }
                no_content = responses.get("204")
                if isinstance(no_content, OpenAPIResponse):
                    no_content.content = None
                for schema in _operation_schemas(operation):
                    _unions_of_numbers_as_any_of(schema, unions_seen)
    for schema in components.values():
        _unions_of_numbers_as_any_of(schema, unions_seen)
