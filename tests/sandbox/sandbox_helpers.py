"""Helpers for the sandbox tests: a callback recorder, a raw WSGI caller and Twilio's
OpenAPI response schemas as plain JSON Schema."""
from __future__ import annotations

import base64
import copy
import json
from pathlib import Path

import jsonschema
from werkzeug.test import Client as WsgiClient

# CI lays shared/ beside the repository clone, as on developers' machines.
OAI_DIR = Path(__file__).resolve().parents[3] / "shared" / "twilio-oai"
SPECS = {"api": "twilio_api_v2010.json", "messaging": "twilio_messaging_v1.json"}


class Callbacks(list):
    """A callback_sender that records (url, params, headers)."""

    def __call__(self, url, params, headers):
        self.append((url, params, headers))






class Raw:
    """Plain HTTP against the WSGI app (no twilio library), JSON bodies decoded."""

    def __init__(self, sandbox):
        self.sandbox = sandbox
        self.http = WsgiClient(sandbox.wsgi_app)

    def _auth(self, auth):
        user, password = auth or (self.sandbox.account_sid, self.sandbox.auth_token)
        return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}

    def get(self, path, query=None, auth=None):
        response = self.http.get(path, query_string=query, headers=self._auth(auth))
        return response.status_code, json.loads(response.get_data(as_text=True)), response.headers

    def post(self, path, form, auth=None):
        response = self.http.post(path, data=form, headers=self._auth(auth))
        return response.status_code, json.loads(response.get_data(as_text=True)), response.headers



def _nullable(schema: dict) -> dict:
    # OpenAPI 3.0 `nullable: true` is JSON Schema's "or null".
    if schema.pop("nullable", False):
        if "type" in schema:
            schema["type"] = [schema["type"], "null"]
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
    return schema


class OpenApi:
    """Response schemas from Twilio's OpenAPI documents, as plain JSON Schema."""

    def __init__(self):
        if not OAI_DIR.is_dir():
            raise RuntimeError(f"Twilio's OpenAPI documents are expected in {OAI_DIR}")
        self.specs = {k: json.loads((OAI_DIR / v).read_text()) for k, v in SPECS.items()}

    def _resolve(self, spec: dict, node):
        if isinstance(node, list):
            return [self._resolve(spec, item) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            return self._resolve(spec, copy.deepcopy(spec["components"]["schemas"][name]))
        out = {}
        for key, value in node.items():
            if key.startswith("x-") or key in ("description", "example", "format"):
                continue
            if key == "properties":
                out[key] = {name: self._resolve(spec, sub) for name, sub in value.items()}
            else:
                out[key] = self._resolve(spec, value)
        return _nullable(out)

    def schema(self, api: str, path: str, method: str, status: int) -> dict:
        """The JSON Schema of a documented response."""
        spec = self.specs[api]
        response = spec["paths"][path][method.lower()]["responses"][str(status)]
        return self._resolve(spec, response["content"]["application/json"]["schema"])

    def validate(self, api: str, path: str, method: str, status: int, body: dict) -> dict:
        """Validate `body`; also require every property the schema names (Twilio
        returns them all, null where unknown). Returns the resolved schema."""
        schema = self.schema(api, path, method, status)
        jsonschema.Draft7Validator(schema).validate(body)
        _require_all(schema, body)
        return schema


def _require_all(schema: dict, body):
    if "oneOf" in schema:
        # Usa2p: the variant that matched is the one with the most properties.
        schema = max(schema["oneOf"], key=lambda s: len(s.get("properties", {})))
    if isinstance(body, dict) and "properties" in schema:
        missing = set(schema["properties"]) - set(body)
        assert not missing, f"fields missing from the response: {sorted(missing)}"
        for name, sub in schema["properties"].items():
            if isinstance(body[name], list):
                for item in body[name]:
                    _require_all(sub.get("items", {}), item)
            elif isinstance(body[name], dict):
                _require_all(sub, body[name])
