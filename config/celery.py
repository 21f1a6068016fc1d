"""The Celery application. Without CELERY_BROKER_URL (the embedded default) tasks run eagerly in
the calling process; with it, workers and one beat run them (see docs and the Makefile)."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("reintegration")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["registry", "outreach"])


@signals.before_task_publish.connect
def _carry_request_id(headers: dict | None = None, **kwargs: object) -> None:
    """The request that queued a task lends it its request id (logs and audit rows)."""
    from registry.audit import current

    context = current.get()
    if headers is not None and context is not None and context.request_id:
        headers["request_id"] = context.request_id


@signals.task_prerun.connect
def _adopt_request_id(task: object = None, **kwargs: object) -> None:
    from registry.audit import RequestContext, current

    request_id = getattr(getattr(task, "request", None), "request_id", None) or ""
    current.set(RequestContext(request_id=str(request_id)) if request_id else None)
