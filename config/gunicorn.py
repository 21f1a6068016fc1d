"""gunicorn settings for the web servers (``gunicorn -c config/gunicorn.py config.wsgi``).

Every value can be overridden by the environment (docs/operations.md). Web servers are stateless:
run as many as the proxy balances over.
"""

import os
import re
import time
from pathlib import Path

# One time zone in every line: the app logs Asia/Ho_Chi_Minh (+0700); so do gunicorn's own lines,
# written by the master before Django is loaded.
os.environ["TZ"] = "Asia/Ho_Chi_Minh"  # Django sets the same from TIME_ZONE, later
time.tzset()

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sized from `make bench-load` on two cores (docs/performance.md): two workers a core, four
# threads each. The staff pages are CPU-bound Python, so threads add no throughput; what they buy is
# the tail: a worker with one thread answers its keep-alive connections strictly in turn, so a short
# request (a probe, the home page) waits behind every long one queued before it, while threads
# share the worker between them. At 100 officers, 4 × 4 answered p95 940 ms and /healthz p95 550 ms
# where 4 × 1 answered 2,100 and 1,900, for the same CPU a request (24.4 and 24.6 ms).
workers = int(os.environ.get("GUNICORN_WORKERS", str(2 * (os.cpu_count() or 1))))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# No gunicorn access log: the app writes one line per request itself (logger "registry.requests",
# redacted like every line, with the client address from TRUSTED_PROXY_COUNT and the request id,
# never a query string). GUNICORN_ACCESS_LOG=- turns gunicorn's back on (paths only).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
access_log_format = "%(m)s %(U)s %(s)s %(M)sms %(h)s"
errorlog = "-"
# gunicorn's own lines (start, workers, timeouts) and its access lines are the app's JSON, redacted
# the same way, with the request id (from the response's X-Request-ID) on access lines.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "config.logging.GunicornJsonFormatter"}},
    "handlers": {
        "error": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        },
        "access": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stdout",
        },
    },
    "root": {"level": "INFO", "handlers": ["error"]},
    "loggers": {
        "gunicorn.error": {"handlers": ["error"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
    },
}
# A control socket per instance (two gunicorns on one host must not share one):
# GUNICORN_CONTROL_SOCKET=path, or "off"; by default var/run/gunicorn-<bind>.ctl of this checkout.
_control = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
if _control.lower() in {"off", "none", "0"}:
    control_socket_disable = True
else:
    _default = Path(__file__).resolve().parents[1] / "var" / "run"
    control_socket = _control or str(
        _default / f"gunicorn-{re.sub(r'[^A-Za-z0-9]+', '-', bind)}.ctl"
    )
    Path(control_socket).parent.mkdir(parents=True, exist_ok=True)
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
