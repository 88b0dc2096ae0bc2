"""Scenario loading: a scenario dict (CONTRACT section 9) becomes the sandbox's
resources, each with every field Twilio returns for it.

Omitted fields take Twilio-like defaults; whatever the scenario gives is passed
through unchanged, so a scenario can carry any field of the official schemas
(brand `errors`, campaign `rate_limits`, `privacy_policy_url`, ...). Dates a scenario
omits are fixed instants, so two loads of one scenario answer byte for byte alike.
"""
from __future__ import annotations

import copy
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import phonenumbers

API_BASE = "https://api.twilio.com"
MESSAGING_BASE = "https://messaging.twilio.com"
API_VERSION = "2010-04-01"

# Fixed creation instants for resources whose scenario gives none.
_ACCOUNT_CREATED = datetime(2021, 3, 4, 17, 5, 12, tzinfo=timezone.utc)
_NUMBER_CREATED = datetime(2021, 3, 4, 18, 0, 0, tzinfo=timezone.utc)
_BRAND_CREATED = datetime(2023, 2, 6, 15, 30, 0, tzinfo=timezone.utc)
_SERVICE_CREATED = datetime(2023, 2, 6, 16, 0, 0, tzinfo=timezone.utc)
_CAMPAIGN_CREATED = datetime(2023, 2, 20, 14, 45, 0, tzinfo=timezone.utc)

_TOKEN_RE = re.compile(r"^\S{32}$")

# Keys of the scenario that describe relations, not resource fields.
_SERVICE_INTERNAL = {"phone_numbers", "campaigns"}

# Rough AT&T message class and T-Mobile tier by brand score, used only when a VERIFIED
# campaign's scenario gives no rate_limits (RULES.md: tiers at 75+, 50-74, 25-49, <25;
# AT&T per-minute limits A/B 4,500, C/D 2,400, E/F 240, T 75 shown here per second).
_TIERS = [(75, "A", 75, "TOP"), (50, "C", 40, "HIGH_MID"), (25, "E", 4, "LOW_MID"), (0, "T", 1, "LOW")]


def derived_sid(prefix: str, *parts: object) -> str:
    """A Twilio-shaped sid (prefix + 32 hex) that depends only on `parts`."""
    digest = hashlib.sha256(":".join([prefix, *map(str, parts)]).encode()).hexdigest()
    return prefix + digest[:32]


def rfc2822(moment: datetime) -> str:
    """The 2010 API's date format, e.g. 'Thu, 04 Mar 2021 17:05:12 +0000'."""
    return format_datetime(moment.astimezone(timezone.utc))


def iso8601(moment: datetime) -> str:
    """The v1 APIs' date format, e.g. '2023-02-06T15:30:00Z'."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_sid(value: object, prefix: str, what: str) -> str:
    """Refuse sids the official schemas would reject (prefix + 32 hex)."""
    if not isinstance(value, str) or not re.fullmatch(prefix + r"[0-9a-fA-F]{32}", value):
        raise ValueError(f"{what}: {value!r} is not a {prefix} sid ({prefix} + 32 hex digits)")
    return value


def region_of(number: str) -> str | None:
    """ISO region of an E.164 number ('US', 'CA', ...), None when unparseable."""
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(number))
    except phonenumbers.NumberParseException:
        return None


def _friendly(number: str) -> str:
    try:
        parsed = phonenumbers.parse(number)
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)


def _is_toll_free(number: str) -> bool:
    try:
        parsed = phonenumbers.parse(number)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.TOLL_FREE


def _merge(defaults: dict, given: dict, skip: set[str] = frozenset()) -> dict:
    merged = dict(defaults)
    merged.update({k: copy.deepcopy(v) for k, v in given.items() if k not in skip})
    return merged


@dataclass
class State:
    """Everything the simulated account holds. Callers hold the sandbox lock."""

    account: dict
    numbers: dict[str, dict]                 # PN sid -> IncomingPhoneNumber resource
    brands: dict[str, dict]                  # BN sid -> BrandRegistration resource
    services: dict[str, dict]                # MG sid -> Service resource
    service_numbers: dict[str, list[str]]    # MG sid -> PN sids in its sender pool
    campaigns: dict[str, dict[str, dict]]    # MG sid -> {QE sid -> Usa2p resource}
    opted_out: set[str]
    latency_ms: int
    faults: list[dict]
    messages: dict[str, dict] = field(default_factory=dict)       # SM sid -> Message resource
    message_meta: dict[str, dict] = field(default_factory=dict)   # SM sid -> sender, callback url

    def __post_init__(self):
        # Numbers are fixed once loaded; sends look them up by value on every create.
        self._by_phone = {n["phone_number"]: n for n in self.numbers.values()}

    def number_by_phone(self, phone_number: str) -> dict | None:
        """The owned number with this E.164 value, if any."""
        return self._by_phone.get(phone_number)

    def campaign(self, campaign_sid: str) -> dict | None:
        """A campaign by sid, whichever service holds it."""
        for campaigns in self.campaigns.values():
            if campaign_sid in campaigns:
                return campaigns[campaign_sid]
        return None

    def sender_registered(self, phone_number: str) -> bool:
        """True when the number sits in a service holding a VERIFIED campaign whose
        brand is APPROVED: the condition carriers check for US-bound 10DLC traffic."""
        number = self.number_by_phone(phone_number)
        if number is None:
            return False
        for service_sid, pool in self.service_numbers.items():
            if number["sid"] not in pool:
                continue
            for campaign in self.campaigns.get(service_sid, {}).values():
                brand = self.brands.get(campaign.get("brand_registration_sid"))
                if campaign.get("campaign_status") == "VERIFIED" and brand and brand.get("status") == "APPROVED":
                    return True
        return False


def load_scenario(scenario: dict) -> State:
    """Validate a scenario and fill in Twilio's defaults. Raises ValueError naming the
    first bad field."""
    if not isinstance(scenario, dict):
        raise ValueError("a scenario is a JSON object")
    account = _account(scenario.get("account") or {})
    acct = account["sid"]
    numbers = {}
    for i, raw in enumerate(scenario.get("incoming_phone_numbers") or []):
        number = _number(raw, acct, i)
        numbers[number["sid"]] = number
    brands = {}
    for i, raw in enumerate(scenario.get("brands") or []):
        brand = _brand(raw, acct, i)
        brands[brand["sid"]] = brand
    services, pools, campaigns = {}, {}, {}
    for i, raw in enumerate(scenario.get("services") or []):
        service = _service(raw, acct, i)
        sid = service["sid"]
        pool = list(raw.get("phone_numbers") or [])
        for pn in pool:
            if pn not in numbers:
                raise ValueError(f"service {sid}: phone number {pn!r} is not in incoming_phone_numbers")
        services[sid], pools[sid] = service, pool
        campaigns[sid] = {}
        for j, raw_campaign in enumerate(raw.get("campaigns") or []):
            campaign = _campaign(raw_campaign, acct, sid, j, brands)
            campaigns[sid][campaign["sid"]] = campaign
    latency = scenario.get("latency_ms") or 0
    if not isinstance(latency, (int, float)) or latency < 0:
        raise ValueError("latency_ms must be a non-negative number")
    return State(
        account=account, numbers=numbers, brands=brands, services=services,
        service_numbers=pools, campaigns=campaigns,
        opted_out=set(scenario.get("opted_out") or []), latency_ms=latency,
        faults=list(scenario.get("faults") or []),
    )


def _account(raw: dict) -> dict:
    sid = check_sid(raw.get("sid"), "AC", "account.sid")
    token = raw.get("auth_token")
    if not isinstance(token, str) or not _TOKEN_RE.match(token):
        raise ValueError("account.auth_token must be 32 characters")
    if raw.get("status", "active") not in ("active", "suspended", "closed"):
        raise ValueError("account.status must be active, suspended or closed")
    if raw.get("type", "Full") not in ("Trial", "Full"):
        raise ValueError("account.type must be Trial or Full")
    base = f"/{API_VERSION}/Accounts/{sid}"
    defaults = {
        "auth_token": token,
        "date_created": rfc2822(_ACCOUNT_CREATED),
        "date_updated": rfc2822(_ACCOUNT_CREATED),
        "friendly_name": "My first Twilio account",
        "owner_account_sid": sid,
        "sid": sid,
        "status": "active",
        # The 2010 API answers with paths relative to its host, as Twilio does.
        "subresource_uris": {
            name: f"{base}/{path}.json"
            for name, path in [
                ("addresses", "Addresses"), ("conferences", "Conferences"),
                ("signing_keys", "SigningKeys"), ("transcriptions", "Transcriptions"),
                ("connect_apps", "ConnectApps"), ("sip", "SIP"),
                ("authorized_connect_apps", "AuthorizedConnectApps"), ("usage", "Usage"),
                ("keys", "Keys"), ("applications", "Applications"), ("recordings", "Recordings"),
                ("short_codes", "SMS/ShortCodes"), ("calls", "Calls"),
                ("notifications", "Notifications"),
                ("incoming_phone_numbers", "IncomingPhoneNumbers"), ("queues", "Queues"),
                ("messages", "Messages"), ("outgoing_caller_ids", "OutgoingCallerIds"),
                ("available_phone_numbers", "AvailablePhoneNumbers"), ("balance", "Balance"),
            ]
        },
        "type": "Full",
        "uri": f"{base}.json",
    }
    return _merge(defaults, raw)


def _number(raw: dict, acct: str, index: int) -> dict:
    phone = raw.get("phone_number")
    if not isinstance(phone, str) or not re.fullmatch(r"\+[1-9]\d{6,14}", phone):
        raise ValueError(f"incoming_phone_numbers[{index}].phone_number must be E.164, got {phone!r}")
    sid = check_sid(raw.get("sid") or derived_sid("PN", acct, phone), "PN",
                    f"incoming_phone_numbers[{index}].sid")
    created = rfc2822(_NUMBER_CREATED + timedelta(minutes=index))
    capabilities = {"fax": False, "mms": True, "sms": True, "voice": True}
    capabilities.update(raw.get("capabilities") or {})
    defaults = {
        "account_sid": acct, "address_sid": None, "address_requirements": "none",
        "api_version": API_VERSION, "beta": False, "capabilities": capabilities,
        "date_created": created, "date_updated": created, "friendly_name": _friendly(phone),
        "identity_sid": None, "phone_number": phone, "origin": "twilio", "sid": sid,
        "sms_application_sid": None, "sms_fallback_method": "POST", "sms_fallback_url": "",
        "sms_method": "POST", "sms_url": "", "status_callback": "",
        "status_callback_method": "POST", "trunk_sid": None,
        "uri": f"/{API_VERSION}/Accounts/{acct}/IncomingPhoneNumbers/{sid}.json",
        "voice_receive_mode": "voice", "voice_application_sid": None,
        "voice_caller_id_lookup": False, "voice_fallback_method": "POST",
        "voice_fallback_url": None, "voice_method": "POST", "voice_url": None,
        "emergency_status": "Inactive", "emergency_address_sid": None,
        "emergency_address_status": "unregistered", "bundle_sid": None, "status": "in-use",
        "type": "tollfree" if _is_toll_free(phone) else "local",
    }
    return _merge(defaults, raw, skip={"capabilities"})


def _brand(raw: dict, acct: str, index: int) -> dict:
    sid = check_sid(raw.get("sid") or derived_sid("BN", acct, index), "BN", f"brands[{index}].sid")
    created = iso8601(_BRAND_CREATED + timedelta(minutes=index))
    defaults = {
        "sid": sid, "account_sid": acct,
        "customer_profile_bundle_sid": derived_sid("BU", sid, "customer"),
        "a2p_profile_bundle_sid": derived_sid("BU", sid, "a2p"),
        "date_created": created, "date_updated": created, "brand_type": "STANDARD",
        "status": "APPROVED", "tcr_id": "B" + derived_sid("", sid, "tcr")[:6].upper(),
        "failure_reason": None, "errors": [],
        "url": f"{MESSAGING_BASE}/v1/a2p/BrandRegistrations/{sid}",
        "brand_score": 80, "brand_feedback": [], "identity_status": "VERIFIED",
        "russell_3000": False, "government_entity": False, "tax_exempt_status": None,
        "skip_automatic_sec_vet": False, "mock": False,
        "links": {
            "brand_vettings": f"{MESSAGING_BASE}/v1/a2p/BrandRegistrations/{sid}/Vettings",
            "brand_registration_otps": f"{MESSAGING_BASE}/v1/a2p/BrandRegistrations/{sid}/SmsOtp",
        },
    }
    return _merge(defaults, raw)


def _service(raw: dict, acct: str, index: int) -> dict:
    sid = check_sid(raw.get("sid") or derived_sid("MG", acct, index), "MG", f"services[{index}].sid")
    created = iso8601(_SERVICE_CREATED + timedelta(minutes=index))
    url = f"{MESSAGING_BASE}/v1/Services/{sid}"
    defaults = {
        "sid": sid, "account_sid": acct, "friendly_name": f"Messaging Service {index + 1}",
        "date_created": created, "date_updated": created, "inbound_request_url": None,
        "inbound_method": "POST", "fallback_url": None, "fallback_method": "POST",
        "status_callback": None, "sticky_sender": True, "mms_converter": True,
        "smart_encoding": True, "scan_message_content": "inherit",
        "fallback_to_long_code": True, "area_code_geomatch": True,
        "synchronous_validation": True, "validity_period": 36000, "url": url,
        "links": {
            "channel_senders": f"{url}/ChannelSenders",
            "phone_numbers": f"{url}/PhoneNumbers",
            "us_app_to_person_usecases": f"{url}/Compliance/Usa2p/Usecases",
            "short_codes": f"{url}/ShortCodes",
            "us_app_to_person": f"{url}/Compliance/Usa2p",
            "messages": f"{url}/Messages",
            "alpha_senders": f"{url}/AlphaSenders",
            "destination_alpha_senders": f"{url}/DestinationAlphaSenders",
        },
        "usecase": "marketing", "use_inbound_webhook_on_number": False,
        # us_app_to_person_registered is derived from the campaigns when rendered,
        # unless the scenario pins it (see render_service).
    }
    return _merge(defaults, raw, skip=_SERVICE_INTERNAL)


def default_rate_limits(brand: dict | None) -> dict:
    """Twilio-like `rate_limits` for a verified campaign of this brand."""
    score = (brand or {}).get("brand_score") or 0
    for floor, att_class, mps, tier in _TIERS:
        if score >= floor:
            return {"att": {"mps": mps, "msg_class": att_class}, "tmobile": {"brand_tier": tier}}
    raise AssertionError("unreachable: the last tier has floor 0")


def _campaign(raw: dict, acct: str, service_sid: str, index: int, brands: dict) -> dict:
    sid = check_sid(raw.get("sid") or derived_sid("QE", service_sid, index), "QE", f"campaign {index} sid")
    brand_sid = raw.get("brand_registration_sid") or next(iter(brands), None)
    if brand_sid not in brands:
        raise ValueError(f"campaign {sid}: brand_registration_sid {brand_sid!r} is not among brands")
    created = iso8601(_CAMPAIGN_CREATED + timedelta(minutes=index))
    status = raw.get("campaign_status", "VERIFIED")
    defaults = {
        "sid": sid, "account_sid": acct, "brand_registration_sid": brand_sid,
        "messaging_service_sid": service_sid, "description": None, "message_samples": [],
        "us_app_to_person_usecase": "MARKETING", "has_embedded_links": False,
        "has_embedded_phone": False, "subscriber_opt_in": True, "age_gated": False,
        "direct_lending": False, "campaign_status": status,
        "campaign_id": "C" + derived_sid("", sid, "tcr")[:6].upper(),
        "is_externally_registered": False,
        "rate_limits": default_rate_limits(brands[brand_sid]) if status == "VERIFIED" else None,
        "message_flow": None, "opt_in_message": None, "opt_out_message": None,
        "help_message": None, "opt_in_keywords": None,
        "opt_out_keywords": None, "help_keywords": None,
        "date_created": created, "date_updated": created,
        "url": f"{MESSAGING_BASE}/v1/Services/{service_sid}/Compliance/Usa2p/{sid}",
        "mock": False, "errors": [], "privacy_policy_url": None,
        "terms_and_conditions_url": None,
    }
    return _merge(defaults, raw)


def render_service(state: State, sid: str) -> dict:
    """The Service resource with its derived registration flag."""
    service = dict(state.services[sid])
    if "us_app_to_person_registered" not in service:
        service["us_app_to_person_registered"] = any(
            c.get("campaign_status") == "VERIFIED" for c in state.campaigns.get(sid, {}).values()
        )
    return service


def render_service_number(state: State, service_sid: str, pn_sid: str) -> dict:
    """A number as the Messaging Service's PhoneNumbers list shows it."""
    number = state.numbers[pn_sid]
    caps = number.get("capabilities") or {}
    labels = [label for key, label in (("mms", "MMS"), ("sms", "SMS"), ("voice", "Voice"), ("fax", "Fax"))
              if caps.get(key)]
    created = state.services[service_sid]["date_created"]
    return {
        "sid": pn_sid, "account_sid": number["account_sid"], "service_sid": service_sid,
        "date_created": created, "date_updated": created,
        "phone_number": number["phone_number"],
        "country_code": region_of(number["phone_number"]) or "US",
        "capabilities": labels,
        "url": f"{MESSAGING_BASE}/v1/Services/{service_sid}/PhoneNumbers/{pn_sid}",
    }
