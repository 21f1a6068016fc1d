"""gunicorn settings for the web servers (``gunicorn -c config/gunicorn.py config.wsgi``).

Every value can be overridden by the environment (docs/operations.md). Web servers are stateless:
run as many as the proxy balances over.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# No gunicorn access log: the app writes one line per request itself (logger "registry.requests",
# redacted like every line, with the client address from TRUSTED_PROXY_COUNT and the request id,
# never a query string). GUNICORN_ACCESS_LOG=- turns gunicorn's back on (paths only).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
access_log_format = '{"remote":"%(h)s","request":"%(m)s %(U)s","status":%(s)s,"ms":%(M)s}'
errorlog = "-"
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
