"""Provider webhooks: Twilio status callbacks and inbound SMS, Zalo events (delivery, follow,
unfollow, messages). Every request is verified first — a forged one gets 403 and changes
nothing — and no input produces a 500: unreadable bodies get 400."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from outreach.channels import twilio_signature_valid, zalo_signature_valid
from outreach.models import Channel
from outreach.services import optouts
from registry import metrics

log = logging.getLogger(__name__)


def _forbidden(provider: str) -> HttpResponse:
    log.warning("webhook rejected: %s signature", provider)
    metrics.incr("outreach_webhook_rejected_total", provider=provider)
    return JsonResponse({"message": "invalid signature"}, status=403)


@csrf_exempt
@require_POST
def twilio_status(request: HttpRequest) -> HttpResponse:
    params = {k: request.POST.get(k, "") for k in request.POST}
    signature = request.headers.get("X-Twilio-Signature", "")
    if not twilio_signature_valid(request.get_full_path(), params, signature):
        return _forbidden("twilio")
    status_text = params.get("MessageStatus", "")
    if not status_text:
        return JsonResponse({"message": "MessageStatus missing"}, status=400)
    error_code = params.get("ErrorCode", "")
    optouts.apply_receipt(
        message_uuid=_uuid_or_none(request.GET.get("m")),
        provider_id=params.get("MessageSid", "")[:64],
        provider_status=status_text,
        status=optouts.twilio_status(status_text, error_code),
        error_code=error_code,
    )
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
def twilio_inbound(request: HttpRequest) -> HttpResponse:
    params = {k: request.POST.get(k, "") for k in request.POST}
    if not twilio_signature_valid(
        request.get_full_path(), params, request.headers.get("X-Twilio-Signature", "")
    ):
        return _forbidden("twilio")
    if settings.OUTREACH_SMS_ACCEPTS_REPLIES and params.get("From"):
        try:
            optouts.inbound_record(
                channel=Channel.SMS,
                sender=params["From"],
                body=params.get("Body", ""),
                provider_id=params.get("MessageSid", "")[:64],
            )
        except Exception:  # noqa: BLE001 - a number we cannot read is not worth a retry storm
            log.warning("inbound SMS from an unreadable number dropped")
    # An empty TwiML answer: we never auto-reply.
    return HttpResponse("<Response/>", content_type="text/xml")


@csrf_exempt
@require_POST
def zalo_events(request: HttpRequest) -> HttpResponse:
    raw = request.body
    if not zalo_signature_valid(raw, request.headers.get("X-ZEvent-Signature", "")):
        return _forbidden("zalo")
    try:
        event: dict[str, Any] = json.loads(raw)
        name = str(event.get("event_name", ""))
    except (ValueError, AttributeError):
        return JsonResponse({"message": "invalid JSON"}, status=400)
    handler = ZALO_HANDLERS.get(name)
    if handler is not None:
        try:
            handler(event)
        except (KeyError, TypeError, AttributeError, ValueError):
            return JsonResponse({"message": "unexpected event shape"}, status=400)
    return JsonResponse({"error": 0})


def _zalo_delivered(event: dict[str, Any]) -> None:
    message = event.get("message") or {}
    optouts.apply_receipt(
        message_uuid=_uuid_or_none(message.get("tracking_id")),
        provider_id=str(message.get("msg_id", ""))[:64],
        provider_status="user_received_message",
        status="delivered",
    )


def _zalo_follow(event: dict[str, Any]) -> None:
    optouts.zalo_follow(user_id=str(event["follower"]["id"]))


def _zalo_unfollow(event: dict[str, Any]) -> None:
    optouts.zalo_unfollow(user_id=str(event["follower"]["id"]))


def _zalo_text(event: dict[str, Any]) -> None:
    from outreach.services.zalo_links import link_from_zalo

    body = str((event.get("message") or {}).get("text", ""))
    link_from_zalo(user_id=str(event["sender"]["id"]), body=body)
    optouts.inbound_record(
        channel=Channel.ZALO_OA,
        sender=str(event["sender"]["id"]),
        body=str((event.get("message") or {}).get("text", "")),
        provider_id=str((event.get("message") or {}).get("msg_id", ""))[:64],
    )


ZALO_HANDLERS = {
    "user_received_message": _zalo_delivered,
    "follow": _zalo_follow,
    "unfollow": _zalo_unfollow,
    "user_send_text": _zalo_text,
}


def _uuid_or_none(value: object) -> str | None:
    import uuid

    try:
        return str(uuid.UUID(str(value))) if value else None
    except ValueError:
        return None


@csrf_exempt
def gateway_report(
    request: HttpRequest, profile_name: str, message_uuid: Any, token: str
) -> HttpResponse:
    """A brandname gateway's delivery report. eSMS calls ``CallbackUrl`` with GET parameters
    (``SMSID``, ``SendStatus``, ``RequestId``, ``telcoid``) and signs nothing, so the URL carries
    a per-message token (a keyed hash of our message id): a forged token gets 403, an id we never
    sent through this gateway 404, and a report whose ids do not match the message 400."""
    from outreach import gateway
    from outreach.models import Message

    message_uuid = str(message_uuid)
    if request.method not in ("GET", "POST"):
        return JsonResponse({"message": "method not allowed"}, status=405)
    if profile_name not in gateway.profile_names():
        return JsonResponse({"message": "unknown gateway"}, status=404)
    if not gateway.callback_token_valid(profile_name, message_uuid, token):
        return _forbidden(profile_name)
    try:
        params: dict[str, Any] = {k: request.GET.get(k, "") for k in request.GET}
        if request.method == "POST":
            params.update(
                gateway.parse_report_body(request.body, request.headers.get("Content-Type", ""))
            )
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"message": "unreadable report"}, status=400)
    report = gateway.report_fields(profile_name, params)
    message = (
        Message.objects.filter(uuid=message_uuid, provider=profile_name)
        .values("provider_id")
        .first()
    )
    if message is None:
        return JsonResponse({"message": "unknown message"}, status=404)
    if report["request_id"] and report["request_id"] not in (
        message_uuid.replace("-", ""),
        message_uuid,
    ):
        return JsonResponse({"message": "request id does not match"}, status=400)
    if report["id"] and message["provider_id"] and report["id"] != message["provider_id"]:
        return JsonResponse({"message": "provider id does not match"}, status=400)
    if not report["status"]:
        return JsonResponse({"message": "status missing"}, status=400)
    profile = gateway.profile(profile_name)
    optouts.apply_receipt(
        message_uuid=message_uuid,
        provider_id=report["id"][:64],
        provider_status=report["status"],
        status=profile.report_status(report["status"]),
        carrier=profile.carrier(report["carrier"]),
    )
    # eSMS retries up to 5 times until it reads a success.
    return JsonResponse({"message": "ok"})
