"""Schemathesis hooks for Langso's contract run (tests/tests/schemathesis.rs).

`positive_data_acceptance` assumes JSON Schema can say everything that makes a request
valid. A few of Langso's rules cannot be said in it: they relate two parameters (`to` not
before `from`, `period` or `from`/`to`), or they need the server's data (a cursor the server
made, a kind in its catalogue). Each operation with such rules lists their error codes in
the spec, in `x-beyond-schema` (each also documented in the operation's 400 answer).

A file upload is the same: any bytes match `format: binary`, but only a readable roster
is one (`422 invalid_roster`, listing the problems).

`positive_data_acceptance_beyond_schema` replaces the built-in check: it is the same check,
except that a 400 or 422 whose `code` the operation lists in `x-beyond-schema` is an
accepted answer to a schema-valid request. Any other 400 or 422 to a schema-valid request
still fails.
"""

import json

import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance


def _code(response):
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    return body.get("code") if isinstance(body, dict) else None


@schemathesis.check
def positive_data_acceptance_beyond_schema(ctx, response, case):
    listed = case.operation.definition.raw.get("x-beyond-schema") or []
    if response.status_code in (400, 422) and _code(response) in listed:
        return None
    return positive_data_acceptance(ctx, response, case)
