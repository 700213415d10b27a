"""The one way the app's own page endpoints read a request: a small JSON object with the token.

Window events, kiosk heartbeats and the like all take the same checks; keeping them
here means one place decides what a page's POST must look like.
"""

from __future__ import annotations

import hmac
import json

import bottle

__all__ = ["read_token_json"]


def read_token_json(token: str, max_body: int) -> dict | bottle.HTTPError:
    """The request's JSON object if it is JSON, small enough and carries `token`; else the HTTP error to answer."""
    request = bottle.request
    if request.content_type.split(";")[0].strip() != "application/json":
        return bottle.HTTPError(415, "JSON only.")
    if (request.content_length or 0) > max_body:
        return bottle.HTTPError(413, "Too large.")
    try:
        payload = json.loads(request.body.read(max_body + 1))
    except ValueError:
        return bottle.HTTPError(400, "Not JSON.")
    if not isinstance(payload, dict) or not hmac.compare_digest(str(payload.get("token", "")), token):
        return bottle.HTTPError(403, "Refused.")
    return payload
