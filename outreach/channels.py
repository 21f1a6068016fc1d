"""Channel backends: each has one ``send(message) -> provider id`` that raises ``ChannelError``.

``console`` (the embedded default) writes a line without personal data to the log; ``twilio``
sends SMS through the ``twilio`` package; ``zalo_zns`` sends a template message to a phone;
``zalo_oa`` sends a customer-service message to a follower. Base URLs are settings, so tests and
benchmarks talk to the local fake provider over real HTTP. Error codes are mapped as in
MESSAGING.md section 2.4 and 3.3: ``permanent`` errors end the message, the others are retried.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import threading
from typing import Any, Protocol

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from outreach.models import Message, ProviderToken

log = logging.getLogger(__name__)


class ChannelError(Exception):
    """A send that did not go through. ``permanent``: never retry this message on this channel;
    ``opt_out``: the provider says the recipient unsubscribed; ``fallback``: another channel may
    still reach the person."""

    def __init__(
        self,
        reason: str,
        *,
        permanent: bool,
        code: str = "",
        opt_out: bool = False,
        fallback: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason, self.permanent, self.code = reason, permanent, code
        self.opt_out, self.fallback = opt_out, fallback


class Backend(Protocol):
    name: str

    def send(self, message: Message) -> str: ...

    def find(self, message: Message) -> str | None:
        """After a send whose outcome is unknown (its worker died, or the call timed out): the
        provider's id if it accepted this message; None when sending it again cannot make a
        duplicate (it does not hold it, or it refuses a second copy of our id by itself).
        Raises ChannelError when it cannot tell: ``permanent`` if it never can (the row then
        waits a grace for a callback), transient if it could not answer now (ask again later)."""
        ...


class UnknowableError(ChannelError):
    def __init__(self, provider: str) -> None:
        super().__init__(f"{provider} cannot say what it accepted", permanent=True, code="unknown")


def mask(destination: str) -> str:
    """What a log line or an outreach manager may see of a destination: its last 3 characters."""
    return "•" * max(len(destination) - 3, 0) + destination[-3:] if destination else ""


class ConsoleBackend:
    name = "console"

    def send(self, message: Message) -> str:
        log.info(
            "console %s message %s to %s (%d segments)",
            message.channel,
            message.uuid,
            mask(message.destination or ""),
            message.segments,
        )
        return f"console-{message.uuid}"

    def find(self, message: Message) -> str | None:
        return None  # nothing left the machine


_http = threading.local()


def http() -> requests.Session:
    """One pooled session per thread (keep-alive to the provider)."""
    session = getattr(_http, "session", None)
    if session is None:
        session = _http.session = requests.Session()
    return session


def transient_http(exc: requests.RequestException) -> ChannelError:
    # A read timeout means the request went out: the provider may have accepted it ("timeout"
    # makes the dispatcher wait for a callback). Other network errors never reached it.
    code = "timeout" if isinstance(exc, requests.ReadTimeout) else "network"
    return ChannelError(f"network: {type(exc).__name__}", permanent=False, code=code)


# --- Twilio SMS ---------------------------------------------------------------------------------

TWILIO_TRANSIENT = {"20429", "14107", "30001", "63017", "63018", "21611", "30008"}
TWILIO_OPT_OUT = {"21610"}
TWILIO_TRY_ANOTHER_CHANNEL = {"21612", "21614", "21211", "30004", "30005", "30006"}


def twilio_error(status: int, code: str) -> ChannelError:
    if code in TWILIO_OPT_OUT:
        return ChannelError("unsubscribed", permanent=True, code=code, opt_out=True)
    if code in TWILIO_TRANSIENT or status == 429 or status >= 500:
        return ChannelError(f"twilio {status}", permanent=False, code=code or str(status))
    return ChannelError(
        f"twilio {status}",
        permanent=True,
        code=code or str(status),
        fallback=code in TWILIO_TRY_ANOTHER_CHANNEL,
    )


class TwilioBackend:
    """SMS through Twilio. The status callback URL carries our message id, so a receipt finds its
    row even if this worker died before it could record Twilio's id."""

    name = "twilio"

    def __init__(self) -> None:
        from twilio.http.http_client import TwilioHttpClient
        from twilio.rest import Client

        base = settings.TWILIO_API_BASE_URL.rstrip("/")

        class RoutedHttpClient(TwilioHttpClient):
            # The SDK always builds https://api.twilio.com/…; the base URL is a setting.
            def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
                if url.startswith("https://api.twilio.com"):
                    url = base + url[len("https://api.twilio.com") :]
                return super().request(method, url, *args, **kwargs)

        self.client = Client(
            settings.TWILIO_ACCOUNT_SID,
            settings.TWILIO_AUTH_TOKEN,
            http_client=RoutedHttpClient(timeout=settings.OUTREACH_HTTP_TIMEOUT),
        )

    def send(self, message: Message) -> str:
        from twilio.base.exceptions import TwilioException, TwilioRestException

        options: dict[str, Any] = {
            "to": message.destination,
            "body": message.body,
            "status_callback": callback_url("twilio", message),
            "validity_period": settings.TWILIO_VALIDITY_PERIOD,
        }
        if settings.TWILIO_MESSAGING_SERVICE_SID:
            options["messaging_service_sid"] = settings.TWILIO_MESSAGING_SERVICE_SID
        else:
            options["from_"] = settings.TWILIO_FROM
        try:
            sent = self.client.messages.create(**options)
        except TwilioRestException as exc:
            raise twilio_error(exc.status, str(exc.code or "")) from None
        except requests.RequestException as exc:
            raise transient_http(exc) from None
        except TwilioException as exc:
            raise ChannelError(f"twilio: {type(exc).__name__}", permanent=False) from None
        return str(sent.sid)

    # Twilio's recent messages to one number looked at to find one we may have sent.
    FIND_AMONG = 20

    def find(self, message: Message) -> str | None:
        """Twilio takes no idempotency key; it lists the messages sent to a number, newest first.
        Ours is one with the same body, created since our first attempt (Twilio's times have whole
        seconds), whose id no other row of ours has recorded: the same text sent to the same
        number by an earlier campaign is not this message."""
        from twilio.base.exceptions import TwilioException

        started = message.first_attempt_at or message.created_at
        since = started.replace(microsecond=0) - dt.timedelta(seconds=1)
        try:
            recent = self.client.messages.list(
                to=message.destination, limit=self.FIND_AMONG, page_size=self.FIND_AMONG
            )
        except (TwilioException, requests.RequestException) as exc:
            raise ChannelError(f"twilio lookup: {type(exc).__name__}", permanent=False) from None
        candidates = [
            str(sent.sid)
            for sent in recent
            if sent.body == message.body and sent.date_created and sent.date_created >= since
        ]
        taken = set(
            Message.objects.filter(provider=self.name, provider_id__in=candidates)
            .exclude(pk=message.pk)
            .values_list("provider_id", flat=True)
        )
        return next((sid for sid in candidates if sid not in taken), None)


def callback_url(provider: str, message: Message) -> str:
    base = settings.OUTREACH_PUBLIC_BASE_URL.rstrip("/")
    return f"{base}/outreach/hooks/{provider}/status/?m={message.uuid}"


# --- Zalo ---------------------------------------------------------------------------------------

ZALO_TOKEN_ERRORS = {"-124", "-216", "-201", "-14014"}
ZNS_TRANSIENT = {"-100", "-115"}  # unknown error; out of quota right now
ZNS_OPT_OUT = {"-118", "-119"}  # user refuses / blocks messages from the OA [unverified codes]


class ZaloTokenError(Exception):
    pass


def zalo_access_token(*, force: bool = False) -> str:
    """A valid access token. Refreshes under a row lock when it expires within the margin (or when
    ``force``: the provider refused the current one). The refresh token is single-use, so the new
    pair is saved in the transaction that holds the lock: a second worker waiting on the lock
    reads the new pair instead of spending the old refresh token again."""
    margin = dt.timedelta(seconds=settings.ZALO_TOKEN_REFRESH_MARGIN_SECONDS)
    token = ProviderToken.objects.filter(provider="zalo").first()
    if token is None:
        raise ZaloTokenError("no Zalo token: run manage.py zalo_token")
    if not force and token.access_expires_at - timezone.now() > margin:
        return token.access_token
    stale = token.access_token
    with transaction.atomic():
        token = ProviderToken.objects.select_for_update().get(pk=token.pk)
        fresh_enough = token.access_expires_at - timezone.now() > margin
        if fresh_enough and (not force or token.access_token != stale):
            return token.access_token  # another worker refreshed it while we waited
        response = http().post(
            f"{settings.ZALO_OAUTH_BASE_URL.rstrip('/')}/v4/oa/access_token",
            data={
                "refresh_token": token.refresh_token,
                "app_id": settings.ZALO_APP_ID,
                "grant_type": "refresh_token",
            },
            headers={"secret_key": settings.ZALO_APP_SECRET},
            timeout=settings.OUTREACH_HTTP_TIMEOUT,
        )
        body = response.json() if response.ok else {}
        if "access_token" not in body:
            raise ZaloTokenError(
                f"refresh refused: HTTP {response.status_code} {body.get('error')}"
            )
        now = timezone.now()
        token.access_token = body["access_token"]
        token.refresh_token = body["refresh_token"]
        token.access_expires_at = now + dt.timedelta(seconds=int(body.get("expires_in", 90000)))
        token.refresh_expires_at = now + dt.timedelta(days=90)
        token.refreshes += 1
        token.save()
        return token.access_token


class ZaloBackend:
    """Shared by ZNS and OA: the token, one refresh-and-retry on a token error, error mapping."""

    name = "zalo"
    path = ""

    def payload(self, message: Message) -> dict[str, Any]:
        raise NotImplementedError

    def base_url(self) -> str:
        raise NotImplementedError

    def send(self, message: Message) -> str:
        payload = self.payload(message)
        try:
            token = zalo_access_token()
            for attempt in range(2):
                response = http().post(
                    self.base_url().rstrip("/") + self.path,
                    json=payload,
                    headers={"access_token": token},
                    timeout=settings.OUTREACH_HTTP_TIMEOUT,
                )
                if response.status_code == 429 or response.status_code >= 500:
                    raise ChannelError(
                        f"zalo {response.status_code}",
                        permanent=False,
                        code=str(response.status_code),
                    )
                body = response.json() if response.status_code != 401 else {"error": -216}
                code = str(body.get("error", -1))
                if code == "0":
                    data = body.get("data") or {}
                    return str(data.get("msg_id") or data.get("message_id") or "")
                if code in ZALO_TOKEN_ERRORS and attempt == 0:
                    token = zalo_access_token(force=True)
                    continue
                raise self.error(code)
        except requests.RequestException as exc:
            raise transient_http(exc) from None
        except (ZaloTokenError, ValueError) as exc:
            raise ChannelError(f"zalo: {exc}", permanent=False, code="token") from None
        raise ChannelError("zalo token refused twice", permanent=False, code="token")

    def find(self, message: Message) -> str | None:
        # Zalo neither lists what an OA sent nor refuses a second tracking_id [unverified]:
        # only its delivery webhook can tell.
        raise UnknowableError(self.name)

    def error(self, code: str) -> ChannelError:
        if code in ZNS_TRANSIENT or code in ZALO_TOKEN_ERRORS:
            return ChannelError(f"zalo {code}", permanent=False, code=code)
        if code in ZNS_OPT_OUT:
            return ChannelError(f"zalo {code}", permanent=True, code=code, opt_out=True)
        return ChannelError(f"zalo {code}", permanent=True, code=code, fallback=True)


class ZaloZnsBackend(ZaloBackend):
    path = "/message/template"

    def base_url(self) -> str:
        return settings.ZALO_BUSINESS_BASE_URL

    def payload(self, message: Message) -> dict[str, Any]:
        template = json.loads(message.body)
        payload = {
            "phone": zns_phone(message.destination),
            "template_id": template["template_id"],
            "template_data": template["template_data"],
            "tracking_id": message.uuid.hex,  # ≤ 48 characters, no special characters
        }
        if settings.ZALO_ZNS_MODE:
            payload["mode"] = settings.ZALO_ZNS_MODE
        return payload


class ZaloOaBackend(ZaloBackend):
    path = "/v3.0/oa/message/cs"

    def base_url(self) -> str:
        return settings.ZALO_OPENAPI_BASE_URL

    def payload(self, message: Message) -> dict[str, Any]:
        return {"recipient": {"user_id": message.destination}, "message": {"text": message.body}}


def zns_phone(e164: str) -> str:
    """ZNS wants 84 + 9 digits."""
    return e164.lstrip("+")


# --- Webhook verification -----------------------------------------------------------------------


def twilio_signature_valid(path_with_query: str, params: dict[str, str], signature: str) -> bool:
    """Twilio signs the URL it called: rebuild it from the configured public base URL, never from
    the Host header (behind a TLS proxy Django sees http://internal-host/…)."""
    from twilio.request_validator import RequestValidator

    if not signature or not settings.TWILIO_AUTH_TOKEN:
        return False
    url = settings.OUTREACH_PUBLIC_BASE_URL.rstrip("/") + path_with_query
    return RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(url, params, signature)


def zalo_signature_valid(raw_body: bytes, header: str) -> bool:
    """X-ZEvent-Signature: mac=<hex SHA-256(app_id + raw body + timestamp + OA secret)>, the
    timestamp taken from the body."""
    if not settings.ZALO_OA_SECRET:
        return False
    try:
        timestamp = str(json.loads(raw_body).get("timestamp", ""))
    except (ValueError, AttributeError):
        return False
    expected = hashlib.sha256(
        settings.ZALO_APP_ID.encode()
        + raw_body
        + timestamp.encode()
        + settings.ZALO_OA_SECRET.encode()
    ).hexdigest()
    given = header.removeprefix("mac=").strip()
    return hmac.compare_digest(expected, given)
