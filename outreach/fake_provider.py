"""A local fake of Twilio and Zalo for tests, benchmarks and demos: a real HTTP server on 127.0.0.1.

It speaks the shapes our channels use — Twilio ``Messages.json`` (form in, JSON out, error JSON
with ``code``; ``GET`` lists the accepted messages newest first, filtered by ``To``), Zalo ZNS
``/message/template``, OA ``/v3.0/oa/message/cs`` and the OAuth v4 token refresh with single-use
refresh tokens — and sends signed status callbacks (Twilio "sent" then "delivered"; Zalo
``user_received_message``) to the URLs it is given.

Faults are injected over HTTP: ``POST /_control/faults`` with a list of rules
``{"route": "twilio"|"zns"|"oa"|"*", "match": "<substring of the destination>", "kind": …,
"times": n}``, where kind is ``timeout`` (hold the request past the client's timeout, then 504
without accepting), ``slow_accept`` (accept, then answer late), ``500``, ``429``,
``invalid_number`` or ``opted_out``. ``GET /_control/received`` lists accepted messages with our
message id, ``POST /_control/reset`` forgets everything.

It also speaks the two brandname gateway profiles of ``outreach.gateway``: eSMS.vn
(``SendMultipleMessage_V4_post_json``, credentials in the JSON body, ``RequestId`` refused as a
duplicate for 24 hours with code 124, delivery reports by GET to ``CallbackUrl`` with ``SMSID``,
``SendStatus``, ``RequestId``, ``telcoid``, and ``GetSendStatus?RefId=``) and SpeedSMS
(``/index.php/sms/send`` with HTTP Basic, ``{"status": "success", "data": {"tranId"}}``, JSON
reports, ``/index.php/sms/status/<tranId>``). Gateway faults: the kinds above (``invalid_number``
is eSMS 108 / SpeedSMS 105, ``opted_out`` eSMS 99), ``error:<code>`` for any provider code,
``undelivered`` (accepted, then reported as rejected) and ``no_report`` (accepted, no callback:
only polling learns the outcome). Reports the fake would send are also listed at
``GET /_control/reports`` (tests replay them when callbacks are off).

Run alone: ``python -m outreach.fake_provider --port 8765 --twilio-token T --zalo-app-id A
--zalo-oa-secret S --zalo-webhook http://127.0.0.1:8000/outreach/hooks/zalo/``.
"""

from __future__ import annotations

import argparse
import contextlib
import email.utils
import hashlib
import json
import queue
import secrets
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests


@dataclass
class FakeState:
    twilio_token: str = "fake-twilio-token"
    zalo_app_id: str = "fake-app"
    zalo_app_secret: str = "fake-app-secret"
    zalo_oa_secret: str = "fake-oa-secret"
    zalo_webhook: str = ""
    callbacks: bool = True
    twilio_statuses: tuple[str, ...] = ("sent", "delivered")
    timeout_hold: float = 3.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    received: list[dict[str, Any]] = field(default_factory=list)
    faults: list[dict[str, Any]] = field(default_factory=list)
    refresh_tokens: set[str] = field(default_factory=set)
    access_tokens: set[str] = field(default_factory=set)
    refresh_calls: int = 0
    refused_refreshes: int = 0
    calls: int = 0
    gateway_key: str = "fake-gateway-key"
    gateway_secret: str = "fake-gateway-secret"
    gateway_request_ids: dict[str, tuple[str, float]] = field(default_factory=dict)
    gateway_messages: dict[str, dict[str, Any]] = field(default_factory=dict)
    reports: list[dict[str, Any]] = field(default_factory=list)
    twilio_messages: list[dict[str, Any]] = field(default_factory=list)  # what GET lists

    def fault_for(self, route: str, destination: str) -> str | None:
        with self.lock:
            for rule in self.faults:
                if rule.get("route", "*") not in ("*", route):
                    continue
                if rule.get("match", "") not in destination:
                    continue
                times = rule.get("times")
                if times is not None:
                    if times <= 0:
                        continue
                    rule["times"] = times - 1
                return str(rule["kind"])
        return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FakeServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes: without this, Nagle's algorithm and the
        # client's delayed ACK add 40 ms to every keep-alive request.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    # --- plumbing ---
    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _json(self, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        # The client may have given up waiting (a timeout we injected).
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(data)

    @property
    def state(self) -> FakeState:
        return self.server.state

    def do_GET(self) -> None:  # noqa: N802
        if self.path.startswith("/_control/received"):
            with self.state.lock:
                self._json(200, {"received": list(self.state.received), "calls": self.state.calls})
        elif self.path.startswith("/_control/reports"):
            with self.state.lock:
                self._json(200, {"reports": list(self.state.reports)})
        elif self.path.startswith(ESMS_STATUS_PATH):
            self.esms_status(urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query))
        elif self.path.startswith(SPEEDSMS_STATUS_PATH):
            self.speedsms_status(urllib.parse.urlsplit(self.path).path.rsplit("/", 1)[-1])
        elif urllib.parse.urlsplit(self.path).path.endswith("/Messages.json"):
            self.twilio_list(urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query))
        elif self.path.startswith("/_control/tokens"):
            self._json(
                200,
                {
                    "refresh_calls": self.state.refresh_calls,
                    "refused_refreshes": self.state.refused_refreshes,
                },
            )
        else:
            self._json(404, {"message": "not found"})

    def do_POST(self) -> None:  # noqa: N802
        body = self._body()
        path = urllib.parse.urlsplit(self.path).path
        with self.state.lock:
            self.state.calls += 1
        if path == "/_control/faults":
            with self.state.lock:
                self.state.faults = json.loads(body or b"[]")
            return self._json(200, {"ok": True})
        if path == "/_control/reset":
            with self.state.lock:
                self.state.received.clear()
                self.state.faults.clear()
                self.state.calls = 0
                self.state.refresh_calls = self.state.refused_refreshes = 0
                self.state.gateway_request_ids.clear()
                self.state.gateway_messages.clear()
                self.state.reports.clear()
                self.state.twilio_messages.clear()
            return self._json(200, {"ok": True})
        if path == "/_control/tokens":
            data = json.loads(body)
            with self.state.lock:
                self.state.refresh_tokens = set(data.get("refresh", []))
                self.state.access_tokens = set(data.get("access", []))
            return self._json(200, {"ok": True})
        if path.endswith("/Messages.json"):
            return self.twilio_send(urllib.parse.parse_qs(body.decode()))
        if path == "/message/template":
            return self.zalo_send("zns", json.loads(body or b"{}"))
        if path == "/v3.0/oa/message/cs":
            return self.zalo_send("oa", json.loads(body or b"{}"))
        if path == "/v4/oa/access_token":
            return self.zalo_refresh(urllib.parse.parse_qs(body.decode()))
        if path == ESMS_SEND_PATH:
            return self.esms_send(json.loads(body or b"{}"))
        if path == SPEEDSMS_SEND_PATH:
            return self.speedsms_send(json.loads(body or b"{}"))
        return self._json(404, {"message": "not found"})

    # --- faults common to every route; returns True when the request was answered ---
    def _fault(self, route: str, destination: str) -> str | None:
        kind = self.state.fault_for(route, destination)
        if kind == "timeout":
            time.sleep(self.state.timeout_hold)
            self._json(504, {"message": "gateway timeout"})
            return "answered"
        if kind == "500":
            self._json(500, {"message": "internal error", "code": 20500, "status": 500})
            return "answered"
        if kind == "429":
            self._json(429, {"message": "too many requests", "code": 20429, "status": 429})
            return "answered"
        return kind

    def _accept(self, route: str, our_id: str, destination: str, sender: str) -> str:
        provider_id = ("SM" if route == "twilio" else "") + secrets.token_hex(16)
        with self.state.lock:
            self.state.received.append(
                {
                    "route": route,
                    "id": our_id,
                    "provider_id": provider_id,
                    "to": destination,
                    "sender": sender,
                    "at": time.time(),
                }
            )
        return provider_id

    # --- Twilio ---
    def twilio_send(self, form: dict[str, list[str]]) -> None:
        if not self.headers.get("Authorization", "").startswith("Basic "):
            return self._json(401, {"code": 20003, "message": "Authenticate", "status": 401})
        to = form.get("To", [""])[0]
        callback = form.get("StatusCallback", [""])[0]
        our_id = urllib.parse.parse_qs(urllib.parse.urlsplit(callback).query).get("m", [""])[0]
        kind = self._fault("twilio", to)
        if kind == "answered":
            return None
        if kind == "invalid_number":
            return self._json(
                400, {"code": 21211, "message": "The 'To' number is not valid", "status": 400}
            )
        if kind == "opted_out":
            return self._json(400, {"code": 21610, "message": "unsubscribed", "status": 400})
        sender = form.get("MessagingServiceSid", form.get("From", [""]))[0]
        sid = self._accept("twilio", our_id, to, sender)
        with self.state.lock:
            self.state.twilio_messages.append(
                {
                    "sid": sid,
                    "to": to,
                    "body": form.get("Body", [""])[0],
                    "status": "accepted",
                    "date_created": email.utils.formatdate(usegmt=True),
                }
            )
        if self.state.callbacks and callback:
            self.server.callbacks.put(("twilio", callback, sid))
        if kind == "slow_accept":
            time.sleep(self.state.timeout_hold)
        self._json(
            201,
            {"sid": sid, "status": "accepted", "to": to, "body": "", "error_code": None},
        )
        return None

    def twilio_list(self, query: dict[str, list[str]]) -> None:
        """Twilio's message list, newest first, filtered by ``To`` (one page)."""
        if not self.headers.get("Authorization", "").startswith("Basic "):
            return self._json(401, {"code": 20003, "message": "Authenticate", "status": 401})
        to = query.get("To", [""])[0]
        size = int(query.get("PageSize", ["50"])[0])
        with self.state.lock:
            found = [m for m in reversed(self.state.twilio_messages) if not to or m["to"] == to]
        self._json(
            200,
            {"messages": found[:size], "next_page_uri": None, "page": 0, "page_size": size},
        )
        return None

    # --- Zalo ---
    def zalo_send(self, route: str, payload: dict[str, Any]) -> None:
        if self.headers.get("access_token", "") not in self.state.access_tokens:
            return self._json(200, {"error": -124, "message": "access token invalid"})
        destination = str(payload.get("phone") or (payload.get("recipient") or {}).get("user_id"))
        kind = self._fault(route, destination)
        if kind == "answered":
            return None
        if kind == "invalid_number":
            return self._json(200, {"error": -108, "message": "phone invalid"})
        if kind == "opted_out":
            return self._json(200, {"error": -118, "message": "user refused"})
        our_id = str(payload.get("tracking_id", ""))
        msg_id = self._accept(route, our_id, destination, route)
        if self.state.callbacks and self.state.zalo_webhook and route == "zns":
            self.server.callbacks.put(("zalo", our_id, msg_id, destination))
        if kind == "slow_accept":
            time.sleep(self.state.timeout_hold)
        key = "msg_id" if route == "zns" else "message_id"
        self._json(200, {"error": 0, "message": "Success", "data": {key: msg_id}})
        return None

    def zalo_refresh(self, form: dict[str, list[str]]) -> None:
        if self.headers.get("secret_key") != self.state.zalo_app_secret:
            return self._json(200, {"error": -104, "message": "invalid secret"})
        token = form.get("refresh_token", [""])[0]
        with self.state.lock:
            self.state.refresh_calls += 1
            if token not in self.state.refresh_tokens:
                self.state.refused_refreshes += 1
                return self._json(200, {"error": -14020, "message": "refresh token used"})
            self.state.refresh_tokens.discard(token)  # single use
            access, refresh = secrets.token_hex(12), secrets.token_hex(12)
            self.state.refresh_tokens.add(refresh)
            self.state.access_tokens.add(access)
        return self._json(
            200, {"access_token": access, "refresh_token": refresh, "expires_in": 90000}
        )

    # --- brandname gateways ---
    def _gateway_accept(
        self, route: str, request_id: str, phone_e164: str, brandname: str, callback: str, kind: str
    ) -> tuple[str, bool]:
        """Accept a gateway message once per request id (24 h). Returns (provider id, fresh)."""
        now = time.time()
        with self.state.lock:
            seen = self.state.gateway_request_ids.get(request_id) if request_id else None
            if seen is not None and now - seen[1] < 24 * 3600:
                return seen[0], False
        provider_id = (
            secrets.token_hex(12) if route == "esms" else str(100000 + secrets.randbelow(10**8))
        )
        self._accept(route, request_id, phone_e164, brandname)
        carrier = carrier_of(phone_e164)
        with self.state.lock:
            self.state.received[-1]["provider_id"] = provider_id
            if request_id:
                self.state.gateway_request_ids[request_id] = (provider_id, now)
            self.state.gateway_messages[provider_id] = {
                "route": route,
                "request_id": request_id,
                "phone": phone_e164,
                "carrier": carrier,
                "final": "failed" if kind == "undelivered" else "delivered",
            }
        if callback and kind != "no_report":
            report = self._gateway_report(route, provider_id, callback)
            with self.state.lock:
                self.state.reports.append(report)
            if self.state.callbacks:
                self.server.callbacks.put(("gateway", json.dumps(report)))
        return provider_id, True

    def _gateway_report(self, route: str, provider_id: str, callback: str) -> dict[str, Any]:
        entry = self.state.gateway_messages[provider_id]
        if route == "esms":
            params = {
                "SMSID": provider_id,
                "SendStatus": "4" if entry["final"] == "failed" else "5",
                "RequestId": entry["request_id"],
                "telcoid": TELCO_IDS.get(entry["carrier"], ""),
            }
            joiner = "&" if "?" in callback else "?"
            return {"method": "GET", "url": callback + joiner + urllib.parse.urlencode(params)}
        payload = {
            "type": "report",
            "tranId": provider_id,
            "phone": entry["phone"].lstrip("+"),
            "request_id": entry["request_id"],
            "status": 1 if entry["final"] == "failed" else 0,
        }
        return {"method": "POST", "url": callback, "json": payload}

    def _gateway_fault(self, route: str, phone: str) -> str | None:
        kind = self._fault(route, phone)
        return kind

    def esms_send(self, payload: dict[str, Any]) -> None:
        if (
            payload.get("ApiKey") != self.state.gateway_key
            or payload.get("SecretKey") != self.state.gateway_secret
        ):
            return self._json(200, {"CodeResult": "101", "ErrorMessage": "Sai ApiKey/SecretKey"})
        phone = str(payload.get("Phone", ""))
        e164 = "+84" + phone[1:] if phone.startswith("0") else "+" + phone.lstrip("+")
        kind = self._gateway_fault("esms", e164)
        if kind == "answered":
            return None
        code = _fault_code("esms", kind)
        if code:
            return self._json(200, {"CodeResult": code, "ErrorMessage": "fake error"})
        if not payload.get("Brandname") or not (payload.get("Content") or payload.get("TempID")):
            return self._json(200, {"CodeResult": "146", "ErrorMessage": "Sai template"})
        request_id = str(payload.get("RequestId", ""))
        provider_id, fresh = self._gateway_accept(
            "esms", request_id, e164, str(payload["Brandname"]),
            str(payload.get("CallbackUrl", "")), kind or "",
        )  # fmt: skip
        if not fresh:
            return self._json(200, {"CodeResult": "124", "ErrorMessage": "Trung RequestId"})
        if kind == "slow_accept":
            time.sleep(self.state.timeout_hold)
        return self._json(200, {"CodeResult": "100", "CountRegenerate": 0, "SMSID": provider_id})

    def esms_status(self, query: dict[str, list[str]]) -> None:
        if query.get("ApiKey", [""])[0] != self.state.gateway_key:
            return self._json(200, {"CodeResponse": "101"})
        entry = self.state.gateway_messages.get(query.get("RefId", [""])[0])
        if entry is None:
            return self._json(200, {"CodeResponse": "-1", "ErrorMessage": "not found"})
        return self._json(
            200,
            {
                "CodeResponse": "100",
                "SendStatus": 4 if entry["final"] == "failed" else 5,
                "telcoid": TELCO_IDS.get(entry["carrier"], ""),
            },
        )

    def _basic_ok(self) -> bool:
        import base64

        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        user = base64.b64decode(header[6:]).decode(errors="replace").split(":", 1)[0]
        return user == self.state.gateway_key

    def speedsms_send(self, payload: dict[str, Any]) -> None:
        if not self._basic_ok():
            return self._json(401, {"status": "error", "code": "009", "message": "auth"})
        to = payload.get("to") or [""]
        phone = str(to[0] if isinstance(to, list) else to)
        e164 = "+" + phone.lstrip("+")
        kind = self._gateway_fault("speedsms", e164)
        if kind == "answered":
            return None
        code = _fault_code("speedsms", kind)
        if code:
            return self._json(200, {"status": "error", "code": code, "message": "fake error"})
        provider_id, fresh = self._gateway_accept(
            "speedsms", str(payload.get("request_id", "")), e164, str(payload.get("sender", "")),
            str(payload.get("callback_url", "")), kind or "",
        )  # fmt: skip
        if not fresh:
            return self._json(200, {"status": "error", "code": "124", "message": "duplicate"})
        return self._json(
            200,
            {
                "status": "success",
                "code": "00",
                "data": {"tranId": int(provider_id), "totalSMS": 1, "totalPrice": 250},
            },
        )

    def speedsms_status(self, provider_id: str) -> None:
        if not self._basic_ok():
            return self._json(401, {"status": "error", "code": "009"})
        entry = self.state.gateway_messages.get(provider_id)
        if entry is None:
            return self._json(404, {"status": "error", "code": "404"})
        status = 1 if entry["final"] == "failed" else 0
        return self._json(
            200,
            {"status": "success", "code": "00", "data": {"tranId": provider_id, "status": status}},
        )


ESMS_SEND_PATH = "/MainService.svc/json/SendMultipleMessage_V4_post_json/"
ESMS_STATUS_PATH = "/MainService.svc/json/GetSendStatus"
SPEEDSMS_SEND_PATH = "/index.php/sms/send"
SPEEDSMS_STATUS_PATH = "/index.php/sms/status/"
TELCO_IDS = {
    "viettel": "1",
    "mobifone": "2",
    "vinaphone": "3",
    "vietnamobile": "4",
    "gmobile": "5",
    "itel": "6",
    "reddi": "7",
}
FAULT_CODES = {
    "esms": {"invalid_number": "108", "opted_out": "99"},
    "speedsms": {"invalid_number": "105", "opted_out": "99"},
}


def _fault_code(route: str, kind: str | None) -> str:
    if not kind:
        return ""
    if kind.startswith("error:"):
        return kind.split(":", 1)[1]
    return FAULT_CODES[route].get(kind, "")


def carrier_of(e164: str) -> str:
    from outreach.carriers import DEFAULT_PREFIXES

    national = "0" + e164[3:5] if e164.startswith("+84") else ""
    for carrier, prefixes in DEFAULT_PREFIXES.items():
        if national in prefixes:
            return carrier
    return ""


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, state: FakeState, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.state = state
        self.callbacks: queue.Queue[tuple[str, ...]] = queue.Queue()


def _twilio_signature(token: str, url: str, params: dict[str, str]) -> str:
    from twilio.request_validator import RequestValidator

    return RequestValidator(token).compute_signature(url, params)


def _send_callbacks(server: FakeServer) -> None:
    session = requests.Session()
    state = server.state
    while True:
        item = server.callbacks.get()
        try:
            if item[0] == "gateway":
                report = json.loads(item[1])
                if report["method"] == "GET":
                    session.get(report["url"], timeout=10)
                else:
                    session.post(report["url"], json=report["json"], timeout=10)
            elif item[0] == "twilio":
                _, url, sid = item
                for status in state.twilio_statuses:
                    params = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "ACfake"}
                    session.post(
                        url,
                        data=params,
                        headers={
                            "X-Twilio-Signature": _twilio_signature(state.twilio_token, url, params)
                        },
                        timeout=10,
                    )
            else:
                _, our_id, msg_id, phone = item
                timestamp = str(int(time.time() * 1000))
                event = {
                    "event_name": "user_received_message",
                    "app_id": state.zalo_app_id,
                    "timestamp": timestamp,
                    "sender": {"id": "oa"},
                    "recipient": {"id": phone},
                    "message": {
                        "delivery_time": timestamp,
                        "msg_id": msg_id,
                        "tracking_id": our_id,
                    },
                }
                raw = json.dumps(event).encode()
                mac = hashlib.sha256(
                    state.zalo_app_id.encode()
                    + raw
                    + timestamp.encode()
                    + state.zalo_oa_secret.encode()
                ).hexdigest()
                session.post(
                    state.zalo_webhook,
                    data=raw,
                    headers={
                        "Content-Type": "application/json",
                        "X-ZEvent-Signature": f"mac={mac}",
                    },
                    timeout=10,
                )
        except requests.RequestException:
            pass  # a provider gives up on unreachable callbacks too
        finally:
            server.callbacks.task_done()


def start(state: FakeState | None = None, port: int = 0, callback_threads: int = 4) -> FakeServer:
    """Start the fake in background threads; ``server.server_address[1]`` is its port."""
    server = FakeServer(state or FakeState(), port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    for _ in range(callback_threads):
        threading.Thread(target=_send_callbacks, args=(server,), daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--twilio-token", default="fake-twilio-token")
    parser.add_argument("--zalo-app-id", default="fake-app")
    parser.add_argument("--zalo-app-secret", default="fake-app-secret")
    parser.add_argument("--zalo-oa-secret", default="fake-oa-secret")
    parser.add_argument("--zalo-webhook", default="")
    parser.add_argument("--no-callbacks", action="store_true")
    parser.add_argument("--timeout-hold", type=float, default=3.0)
    parser.add_argument("--twilio-statuses", default="sent,delivered")
    parser.add_argument("--gateway-key", default="fake-gateway-key")
    parser.add_argument("--gateway-secret", default="fake-gateway-secret")
    args = parser.parse_args()
    state = FakeState(
        twilio_token=args.twilio_token,
        zalo_app_id=args.zalo_app_id,
        zalo_app_secret=args.zalo_app_secret,
        zalo_oa_secret=args.zalo_oa_secret,
        zalo_webhook=args.zalo_webhook,
        callbacks=not args.no_callbacks,
        timeout_hold=args.timeout_hold,
        twilio_statuses=tuple(s for s in args.twilio_statuses.split(",") if s),
        gateway_key=args.gateway_key,
        gateway_secret=args.gateway_secret,
    )
    server = start(state, args.port)
    print(f"fake provider on http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.shutdown()


if __name__ == "__main__":
    main()
