"""Campaign content lint: what A2P campaign reviewers reject (RULES.md "Campaign lint").

Each finding names the Twilio rejection code it avoids. Findings are warnings: a
campaign that is already VERIFIED keeps working, but the same content would be
rejected on a new or resubmitted registration.
"""
from __future__ import annotations

import re

import phonenumbers

from ..law.content import BARE_LINK_TLDS, PUBLIC_SHORTENERS

# RULES.md field sizes.
DESCRIPTION_LEN = (40, 4096)
SAMPLE_LEN = (20, 1024)
MESSAGE_FLOW_LEN = (40, 2048)
REPLY_LEN = (20, 320)
SAMPLES_COUNT = (2, 5)

# The rejection code each kind of finding avoids.
CODES = {
    "description": "30886", "samples": "30893", "brand_stop_sample": "30911",
    "message_flow": "30909", "help": "30890", "opt_out": "30887", "opt_in": "30828",
    "embedded_flags": "30889", "shortener": "30892", "privacy": "30908", "terms": "30882",
}
ALL_CODES = sorted(set(CODES.values()))

_LINK_RE = re.compile(
    r"(?<![@\w.-])(?:(?P<scheme>https?)://)?(?P<host>(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?P<tld>[a-z]{2,}))"
    r"(?![\w-])(?:/\S*)?", re.IGNORECASE)
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_STOP_RE = re.compile(r"\bstop\b", re.IGNORECASE)
_SHORT_CODE_RE = re.compile(r"\b\d{5,6}\b")


def links(text: str) -> list[str]:
    """Hosts of the links in `text`: any host after http(s):// or www., bare hosts only
    with a known top-level domain (so "e.g." or "Mr.Smith" are not links)."""
    out = []
    for m in _LINK_RE.finditer(text or ""):
        host = m.group("host").lower()
        if m.group("scheme") or host.startswith("www.") or m.group("tld").lower() in BARE_LINK_TLDS:
            out.append(host)
    return out


def has_phone(text: str) -> bool:
    """Whether `text` holds a phone number (US formats, or any in E.164)."""
    return any(True for _ in phonenumbers.PhoneNumberMatcher(text or "", "US"))


def _has_contact(text: str) -> bool:
    return bool(_EMAIL_RE.search(text) or has_phone(text) or links(text) or _SHORT_CODE_RE.search(text))


def _names_brand(text: str, brand_names: list[str]) -> bool:
    low = (text or "").lower()
    return any(name and name.lower() in low for name in brand_names)


def _length(value, bounds) -> str | None:
    low, high = bounds
    if len(value) < low:
        return f"{len(value)} characters, under the minimum of {low}"
    if len(value) > high:
        return f"{len(value)} characters, over the maximum of {high}"
    return None


def lint_campaign(campaign: dict, brand_names: list[str]) -> list[dict]:
    """Findings for a Usa2p campaign resource, each {"code", "field", "message"}.

    `brand_names` are the names a sample may use for the brand (the workspace's
    business name, the Messaging Service's and account's friendly names).
    """
    findings: list[dict] = []

    def add(kind: str, field: str, message: str) -> None:
        findings.append({"code": CODES[kind], "field": field, "message": message})

    description = campaign.get("description") or ""
    if not description:
        add("description", "description", "The description is missing: say who sends, to whom and why.")
    elif problem := _length(description, DESCRIPTION_LEN):
        add("description", "description", f"The description is {problem}.")

    _lint_samples(campaign, brand_names, add)

    flow = campaign.get("message_flow") or ""
    if not flow:
        add("message_flow", "message_flow", "The opt-in flow (message_flow) is missing: describe how "
            "people opt in, verifiably by a third party.")
    elif problem := _length(flow, MESSAGE_FLOW_LEN):
        add("message_flow", "message_flow", f"The opt-in flow description is {problem}.")

    help_message = campaign.get("help_message") or ""
    if not help_message:
        add("help", "help_message", "The HELP reply is missing: name the brand and give a contact.")
    else:
        if problem := _length(help_message, REPLY_LEN):
            add("help", "help_message", f"The HELP reply is {problem}.")
        if not _has_contact(help_message):
            add("help", "help_message", "The HELP reply gives no contact (phone number, email or website).")
        if brand_names and not _names_brand(help_message, brand_names):
            add("help", "help_message", "The HELP reply does not name the brand.")
    for key, kind, label in (("opt_out_message", "opt_out", "opt-out"), ("opt_in_message", "opt_in", "opt-in")):
        value = campaign.get(key)
        if value and (problem := _length(value, REPLY_LEN)):
            add(kind, key, f"The {label} reply is {problem}.")

    keywords = campaign.get("opt_out_keywords")
    if keywords is not None and "STOP" not in {str(k).strip().upper() for k in keywords}:
        add("opt_out", "opt_out_keywords", "The opt-out keywords do not include STOP.")

    for key, kind, label in (("privacy_policy_url", "privacy", "privacy policy"),
                             ("terms_and_conditions_url", "terms", "terms and conditions")):
        if key not in campaign:
            continue  # an API version without the field
        value = (campaign.get(key) or "").strip()
        if not value:
            add(kind, key, f"No {label} URL is given.")
        elif not re.match(r"^https?://\S+$", value, re.IGNORECASE):
            add(kind, key, f"The {label} URL {value!r} is not a web address.")
    return findings


def _lint_samples(campaign: dict, brand_names: list[str], add) -> None:
    samples = [s for s in (campaign.get("message_samples") or []) if isinstance(s, str)]
    distinct = {s.strip().lower() for s in samples if s.strip()}
    low, high = SAMPLES_COUNT
    if not low <= len(distinct) <= high:
        add("samples", "message_samples",
            f"{len(distinct)} distinct message sample(s); give {low} to {high}.")
    for i, sample in enumerate(samples):
        if problem := _length(sample, SAMPLE_LEN):
            add("samples", f"message_samples[{i}]", f"Sample {i + 1} is {problem}.")
    if not any(_names_brand(s, brand_names) and _STOP_RE.search(s) for s in samples):
        names = " / ".join(n for n in brand_names if n) or "the brand name"
        add("brand_stop_sample", "message_samples",
            f"No sample names the brand ({names}) and says how to opt out (\"Reply STOP\").")
    hosts = [h for s in samples for h in links(s)]
    with_link, with_phone = bool(hosts), any(has_phone(s) for s in samples)
    declared_links, declared_phone = bool(campaign.get("has_embedded_links")), bool(campaign.get("has_embedded_phone"))
    if with_link != declared_links:
        add("embedded_flags", "has_embedded_links",
            "Samples contain links but has_embedded_links is false." if with_link
            else "has_embedded_links is true but no sample contains a link.")
    if with_phone != declared_phone:
        add("embedded_flags", "has_embedded_phone",
            "Samples contain a phone number but has_embedded_phone is false." if with_phone
            else "has_embedded_phone is true but no sample contains a phone number.")
    shorteners = sorted({h for h in hosts if h in PUBLIC_SHORTENERS or h.removeprefix("www.") in PUBLIC_SHORTENERS})
    if shorteners:
        add("shortener", "message_samples",
            f"Samples use a public URL shortener ({', '.join(shorteners)}); use your own domain.")
