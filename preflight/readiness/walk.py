"""The chain walk: read, through the Twilio gateway, everything a US send depends on.

account -> the configured number -> the Messaging Service whose sender pool holds it ->
that service's US A2P campaign -> the campaign's brand. The walk only reads; the checks
(`checks.py`) judge what it found. It stops early where nothing further can be read
meaningfully (bad credentials, an inactive account, a number the account does not own).

Finding the service is the slow part: Twilio has no "which service holds this number"
query, so every service's PhoneNumbers list is fetched, by a bounded thread pool. The
answer is deterministic: the first service in Twilio's list order that holds the number.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from ..twilio import TwilioAuthError, TwilioError, TwilioGateway


@dataclass
class Chain:
    """What the walk read. `None` means not found, or not read because the walk stopped."""

    phone_number: str
    credentials_valid: bool = True
    auth_error: str | None = None
    account: dict | None = None
    number: dict | None = None          # the IncomingPhoneNumber, None when not owned
    number_looked_up: bool = False
    services_scanned: int | None = None  # None: the service list was never read
    service: dict | None = None
    service_pool: list[dict] = field(default_factory=list)
    campaigns: list[dict] | None = None  # None: not read
    campaign: dict | None = None
    brand: dict | None = None
    brand_missing: bool = False          # the campaign names a brand Twilio does not know


def walk(gateway: TwilioGateway, phone_number: str, concurrency: int) -> Chain:
    """Walk the chain for `phone_number`.

    Raises TwilioUnavailable (or another TwilioError) when Twilio cannot answer; a
    refused credential (20003) is not raised but recorded as `credentials_valid=False`.
    """
    chain = Chain(phone_number=phone_number)
    try:
        _walk(gateway, chain, max(1, int(concurrency)))
    except TwilioAuthError as exc:
        chain.credentials_valid = False
        chain.auth_error = f"Twilio error {exc.code}: {exc.message}"
    return chain


def _walk(gateway: TwilioGateway, chain: Chain, workers: int) -> None:
    chain.account = gateway.fetch_account()
    if chain.account.get("status") != "active":
        return
    if workers > 1:
        # The number lookup and the service list do not depend on each other.
        with ThreadPoolExecutor(max_workers=2) as pool:
            number_f = pool.submit(gateway.find_incoming_number, chain.phone_number)
            services_f = pool.submit(gateway.list_services)
            number, services = number_f.result(), services_f.result()
    else:
        number = gateway.find_incoming_number(chain.phone_number)
        services = gateway.list_services() if number is not None else []
    chain.number, chain.number_looked_up = number, True
    if number is None:
        return
    chain.services_scanned = len(services)
    chain.service, chain.service_pool = find_holding_service(gateway, services, number, workers)
    if chain.service is None:
        return
    chain.campaigns = _missing_is_empty(lambda: gateway.list_campaigns(chain.service["sid"]))
    chain.campaign = pick_campaign(chain.campaigns)
    brand_sid = (chain.campaign or {}).get("brand_registration_sid")
    if brand_sid:
        try:
            chain.brand = gateway.fetch_brand(brand_sid)
        except TwilioError as exc:
            if exc.status != 404 or isinstance(exc, TwilioAuthError):
                raise
            chain.brand_missing = True


def find_holding_service(gateway: TwilioGateway, services: list[dict], number: dict,
                         workers: int) -> tuple[dict | None, list[dict]]:
    """The first service (in list order) whose sender pool holds `number`, and that pool.

    With `workers` > 1 the pools are fetched concurrently; results are consumed in list
    order, so the answer does not depend on timing. Once a holder is found, fetches not
    yet started are cancelled.
    """
    def holds(pool: list[dict]) -> bool:
        return any(p.get("sid") == number.get("sid") or p.get("phone_number") == number.get("phone_number")
                   for p in pool)

    def pool_of(service: dict) -> list[dict]:
        return _missing_is_empty(lambda: gateway.list_service_phone_numbers(service["sid"]))

    if workers <= 1 or len(services) <= 1:
        for service in services:
            pool = pool_of(service)
            if holds(pool):
                return service, pool
        return None, []
    executor = ThreadPoolExecutor(max_workers=min(workers, len(services)))
    try:
        futures = [executor.submit(pool_of, service) for service in services]
        for service, future in zip(services, futures):
            pool = future.result()
            if holds(pool):
                return service, pool
        return None, []
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def pick_campaign(campaigns: list[dict] | None) -> dict | None:
    """The service's US A2P campaign: Twilio allows one per service; should a list hold
    more, a VERIFIED one is preferred, then the first listed."""
    if not campaigns:
        return None
    for campaign in campaigns:
        if campaign.get("campaign_status") == "VERIFIED":
            return campaign
    return campaigns[0]


def _missing_is_empty(fetch) -> list[dict]:
    """A list under a resource deleted while we walk (404) reads as empty."""
    try:
        return fetch()
    except TwilioError as exc:
        if exc.status == 404 and not isinstance(exc, TwilioAuthError):
            return []
        raise
