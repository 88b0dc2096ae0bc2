"""Every kind of sandbox response against Twilio's official OpenAPI response schemas:
types, enums, nullability, and every documented field present."""
from __future__ import annotations

from datetime import datetime
from email.utils import parsedate_to_datetime

import jsonschema
import pytest

from preflight.sandbox import Sandbox, scenarios

from tests.sandbox.sandbox_helpers import Callbacks, Raw

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "code": {"type": "integer"},
        "message": {"type": "string", "minLength": 1},
        "more_info": {"type": "string", "pattern": r"^https://www\.twilio\.com/docs/errors/\d+$"},
        "status": {"type": "integer"},
    },
    "required": ["code", "message", "more_info", "status"],
    "additionalProperties": False,
}

A = "/2010-04-01/Accounts"


def every_response(sb: Sandbox):
    """(api, spec path, method, status, body) for each endpoint of a sandbox, with one
    message created and moved to its final status."""
    raw = Raw(sb)
    acct = sb.account_sid
    state = sb.state
    out = []

    def add(api, spec_path, method, result):
        status, body, _ = result
        out.append((api, spec_path, method, status, body))

    add("api", f"{A}/{{Sid}}.json", "GET", raw.get(f"{A}/{acct}.json"))
    add("api", f"{A}/{{AccountSid}}/IncomingPhoneNumbers.json", "GET",
        raw.get(f"{A}/{acct}/IncomingPhoneNumbers.json"))
    number = next(iter(state.numbers.values()))["phone_number"]
    created = raw.post(f"{A}/{acct}/Messages.json",
                       {"To": "+14155550111", "From": number, "Body": "Hello"})
    if created[0] == 201:
        add("api", f"{A}/{{AccountSid}}/Messages.json", "POST", created)
        sb.flush_callbacks()
        add("api", f"{A}/{{AccountSid}}/Messages/{{Sid}}.json", "GET",
            raw.get(f"{A}/{acct}/Messages/{created[1]['sid']}.json"))
    add("api", f"{A}/{{AccountSid}}/Messages.json", "GET", raw.get(f"{A}/{acct}/Messages.json"))
    add("messaging", "/v1/Services", "GET", raw.get("/v1/Services"))
    for mg in state.services:
        add("messaging", "/v1/Services/{Sid}", "GET", raw.get(f"/v1/Services/{mg}"))
        add("messaging", "/v1/Services/{ServiceSid}/PhoneNumbers", "GET",
            raw.get(f"/v1/Services/{mg}/PhoneNumbers"))
        add("messaging", "/v1/Services/{MessagingServiceSid}/Compliance/Usa2p", "GET",
            raw.get(f"/v1/Services/{mg}/Compliance/Usa2p"))
        for qe in state.campaigns[mg]:
            add("messaging", "/v1/Services/{MessagingServiceSid}/Compliance/Usa2p/{Sid}", "GET",
                raw.get(f"/v1/Services/{mg}/Compliance/Usa2p/{qe}"))
    add("messaging", "/v1/a2p/BrandRegistrations", "GET", raw.get("/v1/a2p/BrandRegistrations"))
    for bn in state.brands:
        add("messaging", "/v1/a2p/BrandRegistrations/{Sid}", "GET", raw.get(f"/v1/a2p/BrandRegistrations/{bn}"))
    return out


@pytest.mark.parametrize("name", sorted(scenarios.variants()))
def test_every_endpoint_of_every_shipped_scenario_matches_the_official_schema(oai, name):
    scenario = {**scenarios.load(name), "faults": [], "latency_ms": 0}  # faults have their own tests
    sb = Sandbox(scenario, callback_sender=Callbacks())
    responses = every_response(sb)
    assert len(responses) >= 8
    for api, spec_path, method, status, body in responses:
        assert status in (200, 201), (spec_path, body)
        oai.validate(api, spec_path, method, status, body)


def test_dates_use_each_api_s_format(sandbox):
    for api, _, _, _, body in every_response(sandbox):
        records = [body]
        for key in ("incoming_phone_numbers", "messages", "services", "phone_numbers", "compliance", "data"):
            records += body.get(key, [])
        for record in records:
            for field in ("date_created", "date_updated", "date_sent"):
                if record.get(field) is None:
                    continue
                if api == "api":
                    assert parsedate_to_datetime(record[field]).utcoffset().total_seconds() == 0
                else:
                    datetime.strptime(record[field], "%Y-%m-%dT%H:%M:%SZ")


def test_v1_links_are_absolute_to_the_real_host(sandbox, raw):
    mg = next(iter(sandbox.state.services))
    _, body, _ = raw.get("/v1/Services", {"PageSize": 1})
    assert body["services"][0]["url"] == f"https://messaging.twilio.com/v1/Services/{mg}"
    assert body["services"][0]["links"]["us_app_to_person"].endswith(f"/v1/Services/{mg}/Compliance/Usa2p")
    assert body["meta"]["url"].startswith("https://messaging.twilio.com/v1/Services?")
    assert body["meta"]["key"] == "services"


@pytest.mark.parametrize("status", ["active", "suspended", "closed"])
@pytest.mark.parametrize("kind", ["Trial", "Full"])
def test_account_status_and_type_enums(oai, status, kind):
    sb = Sandbox(scenarios.compliant(account={"status": status, "type": kind}))
    code, body, _ = Raw(sb).get(f"{A}/{sb.account_sid}.json")
    assert code == 200 and (body["status"], body["type"]) == (status, kind)
    oai.validate("api", f"{A}/{{Sid}}.json", "GET", 200, body)


@pytest.mark.parametrize("status", ["PENDING", "APPROVED", "FAILED", "IN_REVIEW", "DELETION_PENDING",
                                    "DELETION_FAILED", "SUSPENDED"])
@pytest.mark.parametrize("identity", ["SELF_DECLARED", "UNVERIFIED", "VERIFIED", "VETTED_VERIFIED"])
def test_brand_status_and_identity_enums(oai, status, identity):
    sb = Sandbox(scenarios.compliant(brand={"status": status, "identity_status": identity}))
    code, body, _ = Raw(sb).get("/v1/a2p/BrandRegistrations")
    assert code == 200 and body["data"][0]["status"] == status
    oai.validate("messaging", "/v1/a2p/BrandRegistrations", "GET", 200, body)


def test_a_status_outside_the_enum_would_be_caught(oai, raw, sandbox):
    # The schema check is strict about enums, so the tests above mean something.
    _, body, _ = raw.get(f"{A}/{sandbox.account_sid}.json")
    with pytest.raises(jsonschema.ValidationError):
        oai.validate("api", f"{A}/{{Sid}}.json", "GET", 200, {**body, "status": "frozen"})


def test_message_status_enum_through_the_lifecycle(oai, sandbox, raw):
    acct = sandbox.account_sid
    mg = next(iter(sandbox.state.services))
    seen = set()
    for form in ({"To": "+14155550111", "From": "+14155550100", "Body": "x"},
                 {"To": "+14155550112", "MessagingServiceSid": mg, "Body": "y"}):
        code, body, _ = raw.post(f"{A}/{acct}/Messages.json", form)
        assert code == 201
        oai.validate("api", f"{A}/{{AccountSid}}/Messages.json", "POST", 201, body)
        seen.add(body["status"])
    sandbox.flush_callbacks()
    _, listed, _ = raw.get(f"{A}/{acct}/Messages.json")
    oai.validate("api", f"{A}/{{AccountSid}}/Messages.json", "GET", 200, listed)
    seen |= {m["status"] for m in listed["messages"]}
    assert seen == {"queued", "accepted", "delivered"}


def test_undelivered_message_validates(oai):
    sb = Sandbox(scenarios.load("campaign_in_progress"), callback_sender=Callbacks())
    raw = Raw(sb)
    _, created, _ = raw.post(f"{A}/{sb.account_sid}/Messages.json",
                             {"To": "+14155550111", "From": "+14155550100", "Body": "x"})
    sb.flush_callbacks()
    _, body, _ = raw.get(f"{A}/{sb.account_sid}/Messages/{created['sid']}.json")
    assert (body["status"], body["error_code"]) == ("undelivered", 30034)
    oai.validate("api", f"{A}/{{AccountSid}}/Messages/{{Sid}}.json", "GET", 200, body)


@pytest.mark.parametrize("path", [
    f"{A}/{{acct}}/Messages/SM00000000000000000000000000000000.json",
    "/v1/Services/MG00000000000000000000000000000000",
    "/v1/Services/MG00000000000000000000000000000000/PhoneNumbers",
    "/v1/a2p/BrandRegistrations/BN00000000000000000000000000000000",
    "/v1/Services/{mg}/Compliance/Usa2p/QE00000000000000000000000000000000",
    f"{A}/AC00000000000000000000000000000000.json",
    "/v1/NoSuchThing",
])
def test_unknown_resources_answer_20404(sandbox, raw, path):
    path = path.format(acct=sandbox.account_sid, mg=next(iter(sandbox.state.services)))
    code, body, _ = raw.get(path)
    assert code == 404
    jsonschema.validate(body, ERROR_SCHEMA)
    assert body["code"] == 20404 and body["status"] == 404


def test_bad_credentials_answer_20003(sandbox, raw):
    code, body, headers = raw.get(f"{A}/{sandbox.account_sid}.json", auth=(sandbox.account_sid, "x" * 32))
    assert code == 401
    assert body == {"code": 20003, "message": "Authenticate",
                    "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401}
    assert headers["WWW-Authenticate"].startswith("Basic")
    assert raw.http.get("/v1/Services").status_code == 401  # no credentials at all


def test_create_errors_share_the_error_shape(sandbox, raw):
    code, body, _ = raw.post(f"{A}/{sandbox.account_sid}/Messages.json", {"To": "nope", "From": "+14155550100",
                                                                         "Body": "x"})
    assert code == 400
    jsonschema.validate(body, ERROR_SCHEMA)


def test_wrong_method_answers_405(sandbox, raw):
    code, body, _ = raw.post("/v1/a2p/BrandRegistrations", {})
    assert code == 405
    jsonschema.validate(body, ERROR_SCHEMA)
