import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()


def _warm_up() -> None:
    """Import now what a worker's first request would: the URLconf with every view module behind
    it (documents, admin, API …). Django does it lazily, inside the first request — 2–3 s of CPU
    in each new gunicorn worker, during which its first pages waited (issue 20, py-spy under
    `make bench-load`). Workers are recycled every GUNICORN_MAX_REQUESTS, so this is not only a
    start-up cost. Nothing here touches the database, the cache or the keys."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - the property imports and compiles the URLconf


_warm_up()
