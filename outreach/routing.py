"""Which route carries a message, and what it costs.

SMS to a Vietnamese mobile goes through the brandname gateway (``OUTREACH_SMS_GATEWAY``) when
the province's brandname is registered on the number's carrier; anything else — a foreign number,
a carrier without the brandname, or a number the gateway refused in a way another route may
overcome — goes through Twilio when it is configured. With no real route configured everything
goes to the console (the embedded default). Zalo goes through Zalo.

Prices per segment and brandname registration per carrier are contract data (``SmsRate`` rows,
edited in the admin); a route without a price row costs 0 and is never stopped by a budget.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings

from outreach import carriers
from outreach.channels import Backend, ConsoleBackend, TwilioBackend, ZaloOaBackend, ZaloZnsBackend
from outreach.models import Channel, SmsRate

CONSOLE = "console"
TWILIO = "twilio"
ZALO = "zalo"


def gateway_name() -> str:
    return settings.OUTREACH_SMS_GATEWAY or ""


def twilio_configured() -> bool:
    return bool(settings.TWILIO_ACCOUNT_SID)


def sms_real() -> bool:
    return bool(gateway_name() or twilio_configured())


def channel_is_real(channel: str) -> bool:
    """Whether any real provider carries this channel (else the console does)."""
    if channel == Channel.SMS:
        return sms_real()
    return bool(settings.ZALO_APP_ID)


@dataclass(frozen=True)
class Rates:
    """The price table, read once per batch."""

    rows: dict[tuple[str, str], SmsRate]

    @classmethod
    def load(cls) -> Rates:
        return cls({(r.provider, r.carrier): r for r in SmsRate.objects.all()})

    def rate(self, provider: str, carrier: str) -> SmsRate | None:
        return self.rows.get((provider, carrier)) or self.rows.get((provider, ""))

    def registered(self, provider: str, carrier: str) -> bool:
        rate = self.rows.get((provider, carrier))
        return rate is None or rate.brandname_registered

    def price(self, provider: str, carrier: str) -> int:
        rate = self.rate(provider, carrier)
        return rate.price_per_segment if rate else 0


def sms_routes(destination: str | None, carrier: str, rates: Rates) -> list[str]:
    """The SMS routes that may carry a message to ``destination``, best first."""
    if not sms_real():
        return [CONSOLE]
    routes: list[str] = []
    gateway = gateway_name()
    if (
        gateway
        and carrier not in ("", "other")
        and carriers.is_vietnamese_mobile(destination)
        and rates.registered(gateway, carrier)
    ):
        routes.append(gateway)
    if twilio_configured():
        routes.append(TWILIO)
    return routes


def route_for(
    channel: str, destination: str | None, carrier: str, rates: Rates, *, chosen: str = ""
) -> str | None:
    """The route of a message: the one already chosen (a fallback set it), else the best one;
    None when no configured route reaches the destination."""
    if channel != Channel.SMS:
        return ZALO if settings.ZALO_APP_ID else CONSOLE
    if chosen:
        return chosen
    routes = sms_routes(destination, carrier, rates)
    return routes[0] if routes else None


def fallback_route(channel: str, current: str, destination: str | None, carrier: str) -> str:
    """The next SMS route after ``current`` refused a number, or ""."""
    if channel != Channel.SMS:
        return ""
    routes = sms_routes(destination, carrier, Rates.load())
    if current in routes:
        later = routes[routes.index(current) + 1 :]
        return later[0] if later else ""
    return TWILIO if current != TWILIO and twilio_configured() else ""


@lru_cache(maxsize=16)
def backend_named(name: str, channel: str) -> Backend:
    if name == CONSOLE:
        return ConsoleBackend()
    if name == TWILIO:
        return TwilioBackend()
    if name == ZALO:
        return ZaloZnsBackend() if channel == Channel.ZALO_ZNS else ZaloOaBackend()
    from outreach.gateway import gateway_backend

    return gateway_backend(name)


def clear_caches() -> None:
    from outreach.gateway import gateway_backend

    backend_named.cache_clear()
    gateway_backend.cache_clear()


def sender_key(route: str, channel: str) -> str:
    """The name the rate-limit bucket and quota of a route go by (``OUTREACH_SENDERS``): a
    gateway has its own entry when configured, else it shares the channel's."""
    if route not in (CONSOLE, TWILIO, ZALO) and route in settings.OUTREACH_SENDERS:
        return route
    return channel


def cost_of(route: str, carrier: str, segments: int, rates: Rates) -> int:
    return rates.price(route, carrier) * max(segments, 1)


def estimate_by_carrier(
    destinations: Iterable[tuple[str | None, int]], rates: Rates
) -> dict[str, dict[str, int | str]]:
    """Carrier → {route, messages, segments, cost} for SMS to these (phone, segments) pairs."""
    out: dict[str, dict[str, int | str]] = {}
    for phone, segments in destinations:
        carrier = carriers.carrier_of(phone)
        route = route_for(Channel.SMS, phone, carrier, rates) or ""
        row = out.setdefault(carrier, {"route": route, "messages": 0, "segments": 0, "cost": 0})
        row["messages"] = int(row["messages"]) + 1
        row["segments"] = int(row["segments"]) + segments
        row["cost"] = int(row["cost"]) + cost_of(route, carrier, segments, rates)
    return out
