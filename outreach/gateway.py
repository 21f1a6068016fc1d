"""The Vietnamese brandname SMS gateway: one channel class, configured per provider profile
(MESSAGING.md section 10).

Every aggregator takes "brandname + phone + content (+ type)"; they differ in transport, auth and
field names. A ``GatewayProfile`` says all of that as data: the endpoint, JSON or form body,
credentials in the body or HTTP Basic, each field's name, the phone format, free text or a
template id with parameters, the Unicode flag, the message type (customer care vs advertising),
how to read an answer, which error codes are transient, permanent or mean the recipient opted out,
how a delivery report names its fields, and how to ask for a status (polling).

Two profiles are built in: ``esms`` (eSMS.vn, the best documented) and ``speedsms``. Facts the
providers' documents do not confirm are marked ``unverified`` below; every one of them is profile
data that ``OUTREACH_GATEWAY_PROFILES`` (JSON, merged over the built-in profile of that name) can
correct without a release.

Idempotency: our message id goes out as ``RequestId``; eSMS refuses a duplicate for 24 hours
(error 124) without sending a second message, so a retry after a lost answer is safe and the
duplicate answer is read as "already accepted". Delivery reports come by callback — eSMS signs
nothing, so the callback URL carries an unguessable per-message token and only known ids are
accepted — and by polling for messages with no final status after ``OUTREACH_GATEWAY_POLL_AFTER``.
"""

from __future__ import annotations

import copy
import hmac
import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import requests
from django.conf import settings

from outreach.channels import ChannelError, UnknowableError, http, transient_http
from outreach.models import Message

log = logging.getLogger(__name__)

BUILTIN_PROFILES: dict[str, dict[str, Any]] = {
    "esms": {
        "label": "eSMS.vn",
        "base_url": "https://rest.esms.vn",
        "send_path": "/MainService.svc/json/SendMultipleMessage_V4_post_json/",
        "body": "json",
        "auth": "body",  # ApiKey and SecretKey travel in the body
        "credential_fields": {"api_key": "ApiKey", "secret_key": "SecretKey"},
        "fields": {
            "phone": "Phone",
            "content": "Content",
            "brandname": "Brandname",
            "sms_type": "SmsType",
            "unicode": "IsUnicode",
            "request_id": "RequestId",  # ≤ 50 characters, duplicates refused for 24 h (124)
            "callback_url": "CallbackUrl",
            "sandbox": "Sandbox",
            "template_id": "TempID",  # unverified: the template-id mode's field names
            "params": "Params",
        },
        "phone_format": "local",  # 09…
        "phone_list": False,
        "sms_types": {"care": "2", "ads": "1"},
        "unicode_values": ["0", "1"],
        "accepted": {"field": "CodeResult", "values": ["100"]},  # 100 = accepted, not delivered
        "code_field": "CodeResult",
        "id_field": "SMSID",
        "errors": {
            "duplicate": ["124"],
            "opt_out": ["99"],  # the number is blocked from receiving
            # The number or its carrier cannot be reached through this gateway: another route
            # (Twilio) may still reach it.
            "fallback": ["108", "177"],
            "permanent": ["108", "146", "177"],
            # Account or configuration problems (keys, balance, brandname, IP whitelist): retried
            # within the retry window while an operator fixes them.
            "transient": ["101", "103", "104", "140"],
        },
        "report": {
            "id": "SMSID",
            "request_id": "RequestId",
            "status": "SendStatus",
            "carrier": "telcoid",
            "delivered": ["5"],
            "failed": ["4"],
            "pending": ["1", "2", "7"],
        },
        "carriers": {
            "1": "viettel",
            "2": "mobifone",
            "3": "vinaphone",
            "4": "vietnamobile",
            "5": "gmobile",
            "6": "itel",
            "7": "reddi",
        },
        "poll": {
            "path": "/MainService.svc/json/GetSendStatus",
            "id_param": "RefId",
            "credentials": True,  # ApiKey and SecretKey as query parameters
            "status": "SendStatus",  # unverified: the answer's field names
            "carrier": "telcoid",
        },
    },
    "speedsms": {
        "label": "SpeedSMS",
        "base_url": "https://api.speedsms.vn",
        "send_path": "/index.php/sms/send",
        "body": "json",
        "auth": "basic",  # the access token as user, "x" as password
        "credential_fields": {},
        "fields": {
            "phone": "to",
            "content": "content",
            "brandname": "sender",
            "sms_type": "sms_type",
            "unicode": "",
            # unverified: SpeedSMS documents no idempotency key nor a per-message callback URL;
            # these names are what the contract must confirm (or empty them to go without).
            "request_id": "request_id",
            "callback_url": "callback_url",
            "sandbox": "",
            "template_id": "",
            "params": "",
        },
        "phone_format": "84",
        "phone_list": True,
        "sms_types": {"care": 3, "ads": 3},
        "unicode_values": [],
        "accepted": {"field": "status", "values": ["success"]},
        "code_field": "code",
        "id_field": "data.tranId",
        "errors": {
            "duplicate": ["124"],  # unverified
            "opt_out": [],
            "fallback": ["105", "113"],
            "permanent": ["101", "105", "110", "113"],  # 110: encoding not supported
            "transient": ["007", "008", "009", "300", "500"],
        },
        "report": {  # unverified: the report's field names and status values
            "id": "tranId",
            "request_id": "request_id",
            "status": "status",
            "carrier": "",
            "delivered": ["0"],
            "failed": ["1", "2", "3", "4"],
            "pending": ["-1"],
        },
        "carriers": {},
        "poll": {  # unverified
            "path": "/index.php/sms/status/{provider_id}",
            "id_param": "",
            "credentials": False,
            "status": "data.status",
            "carrier": "",
        },
    },
}


@dataclass(frozen=True)
class GatewayProfile:
    name: str
    config: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.config[key]

    @property
    def label(self) -> str:
        return str(self.config.get("label") or self.name)

    def field(self, ours: str) -> str:
        return str(self.config["fields"].get(ours) or "")

    def url(self, path: str) -> str:
        base = str(self.config.get("base_url") or "").rstrip("/")
        return base + path

    def error_class(self, code: str) -> str:
        errors = self.config["errors"]
        for kind in ("duplicate", "opt_out", "permanent", "transient"):
            if code in errors.get(kind, []):
                return kind
        return "unknown"

    def report_status(self, value: str) -> str | None:
        """A reported status value → ours (delivered, permanent_failure, sent) or None."""
        report = self.config["report"]
        if value in report.get("delivered", []):
            return Message.Status.DELIVERED
        if value in report.get("failed", []):
            return Message.Status.PERMANENT_FAILURE
        if value in report.get("pending", []):
            return Message.Status.SENT
        return None

    def carrier(self, value: str) -> str:
        return str(self.config.get("carriers", {}).get(str(value), ""))


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def profile(name: str) -> GatewayProfile:
    overrides = (settings.OUTREACH_GATEWAY_PROFILES or {}).get(name, {})
    base = BUILTIN_PROFILES.get(name)
    if base is None and not overrides:
        raise KeyError(f"unknown gateway profile {name!r}")
    config = _merge(base or BUILTIN_PROFILES["esms"], overrides)
    if settings.OUTREACH_GATEWAY_BASE_URL and name == settings.OUTREACH_SMS_GATEWAY:
        config["base_url"] = settings.OUTREACH_GATEWAY_BASE_URL
    return GatewayProfile(name=name, config=config)


def profile_names() -> list[str]:
    return sorted({*BUILTIN_PROFILES, *(settings.OUTREACH_GATEWAY_PROFILES or {})})


def callback_token(profile_name: str, message_uuid: str) -> str:
    """The per-message secret of a callback URL: a keyed hash of the message id, so it needs no
    storage and cannot be guessed without the key."""
    from registry import crypto

    return crypto.keyring().blind_index(
        "outreach.gateway.callback", f"{profile_name}:{message_uuid}"
    )[:32]


def callback_token_valid(profile_name: str, message_uuid: str, token: str) -> bool:
    return hmac.compare_digest(callback_token(profile_name, message_uuid), token or "")


def callback_url(profile_name: str, message: Message) -> str:
    base = settings.OUTREACH_PUBLIC_BASE_URL.rstrip("/")
    token = callback_token(profile_name, str(message.uuid))
    return f"{base}/outreach/hooks/gateway/{profile_name}/{message.uuid}/{token}/"


def format_phone(e164: str, style: str) -> str:
    digits = e164.lstrip("+")
    if style == "local" and digits.startswith("84"):
        return "0" + digits[2:]
    if style == "+84":
        return "+" + digits
    return digits


def _dig(data: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


class GatewayBackend:
    """SMS through a brandname gateway described by a profile."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.profile = profile(name)

    def payload(self, message: Message) -> dict[str, Any]:
        p = self.profile
        fields: dict[str, Any] = {}

        def put(ours: str, value: Any) -> None:
            theirs = p.field(ours)
            if theirs:
                fields[theirs] = value

        if p["auth"] == "body":
            put_credentials = p.config.get("credential_fields", {})
            if put_credentials.get("api_key"):
                fields[put_credentials["api_key"]] = settings.OUTREACH_GATEWAY_API_KEY
            if put_credentials.get("secret_key"):
                fields[put_credentials["secret_key"]] = settings.OUTREACH_GATEWAY_SECRET_KEY
        phone = format_phone(message.destination, p["phone_format"])
        put("phone", [phone] if p.config.get("phone_list") else phone)
        if p.config.get("content_mode", "text") == "template":
            put("template_id", p.config.get("template_id", ""))
            put("params", [message.body])
        else:
            put("content", message.body)
        put("brandname", settings.OUTREACH_GATEWAY_BRANDNAME or p.config.get("brandname", ""))
        put("sms_type", p["sms_types"].get(settings.OUTREACH_GATEWAY_SMS_TYPE, ""))
        unicode_values = p.config.get("unicode_values") or []
        if unicode_values:
            put("unicode", unicode_values[1 if settings.OUTREACH_GATEWAY_UNICODE else 0])
        put("request_id", message.uuid.hex)  # 32 characters: within eSMS's 50
        put("callback_url", callback_url(self.name, message))
        if settings.OUTREACH_GATEWAY_SANDBOX:
            put("sandbox", "1")
        return fields

    def send(self, message: Message) -> str:
        p = self.profile
        payload = self.payload(message)
        auth = None
        if p["auth"] == "basic":
            auth = (settings.OUTREACH_GATEWAY_API_KEY, settings.OUTREACH_GATEWAY_SECRET_KEY or "x")
        try:
            if p["body"] == "json":
                response = http().post(
                    p.url(p["send_path"]),
                    json=payload,
                    auth=auth,
                    timeout=settings.OUTREACH_HTTP_TIMEOUT,
                )
            else:
                response = http().post(
                    p.url(p["send_path"]),
                    data=payload,
                    auth=auth,
                    timeout=settings.OUTREACH_HTTP_TIMEOUT,
                )
        except requests.RequestException as exc:
            raise transient_http(exc) from None
        if response.status_code == 429 or response.status_code >= 500:
            raise ChannelError(
                f"{self.name} {response.status_code}",
                permanent=False,
                code=str(response.status_code),
            )
        try:
            body = response.json()
        except ValueError:
            raise ChannelError(
                f"{self.name}: unreadable answer", permanent=False, code=str(response.status_code)
            ) from None
        accepted = p["accepted"]
        if str(_dig(body, accepted["field"])) in accepted["values"]:
            return str(_dig(body, p["id_field"]) or "")
        raise self.error(str(_dig(body, p["code_field"]) or response.status_code))

    def error(self, code: str) -> ChannelError:
        kind = self.profile.error_class(code)
        fallback = code in self.profile["errors"].get("fallback", [])
        if kind == "duplicate":
            # The provider holds a message with this RequestId already: it was accepted before
            # (our earlier answer was lost). Nothing new was sent.
            return ChannelError(f"{self.name} {code}", permanent=False, code="duplicate")
        if kind == "opt_out":
            return ChannelError(f"{self.name} {code}", permanent=True, code=code, opt_out=True)
        if kind == "permanent":
            return ChannelError(f"{self.name} {code}", permanent=True, code=code, fallback=fallback)
        if kind == "unknown":
            log.warning("gateway %s answered an unmapped code %s", self.name, code)
        return ChannelError(f"{self.name} {code}", permanent=False, code=code)

    def find(self, message: Message) -> str | None:
        """A gateway that refuses a second message with our RequestId (its profile names the
        "duplicate" codes) makes sending again safe: the answer says it holds it already."""
        if self.profile["errors"].get("duplicate"):
            return None
        raise UnknowableError(self.name)

    def poll(self, message: Message) -> tuple[str, str, str] | None:
        """Ask for a message's status: (provider status value, our status or None, carrier);
        None when the provider could not answer."""
        p = self.profile
        poll = p["poll"]
        path = str(poll["path"]).replace("{provider_id}", message.provider_id)
        params: dict[str, str] = {}
        if poll.get("id_param"):
            params[poll["id_param"]] = message.provider_id
        if poll.get("credentials"):
            fields = p.config.get("credential_fields", {})
            params[fields.get("api_key", "ApiKey")] = settings.OUTREACH_GATEWAY_API_KEY
            params[fields.get("secret_key", "SecretKey")] = settings.OUTREACH_GATEWAY_SECRET_KEY
        auth = None
        if p["auth"] == "basic":
            auth = (settings.OUTREACH_GATEWAY_API_KEY, settings.OUTREACH_GATEWAY_SECRET_KEY or "x")
        try:
            response = http().get(
                p.url(path), params=params, auth=auth, timeout=settings.OUTREACH_HTTP_TIMEOUT
            )
            body = response.json() if response.ok else None
        except (requests.RequestException, ValueError):
            return None
        if not isinstance(body, dict):
            return None
        value = _dig(body, poll["status"])
        if value is None:
            return None
        carrier_value = _dig(body, poll["carrier"]) if poll.get("carrier") else ""
        return (
            str(value),
            p.report_status(str(value)),
            p.carrier(str(carrier_value or "")),
        )


@lru_cache(maxsize=8)
def gateway_backend(name: str) -> GatewayBackend:
    return GatewayBackend(name)


def report_fields(profile_name: str, params: dict[str, Any]) -> dict[str, str]:
    """The fields of a delivery report (callback) in our words."""
    report = profile(profile_name)["report"]
    return {
        ours: str(params.get(report[ours], "") if report.get(ours) else "")
        for ours in ("id", "request_id", "status", "carrier")
    }


def parse_report_body(raw: bytes, content_type: str) -> dict[str, Any]:
    if not raw:
        return {}
    if "json" in content_type:
        data = json.loads(raw)
        return data if isinstance(data, dict) else {}
    from urllib.parse import parse_qsl

    return dict(parse_qsl(raw.decode()))
