"""The Celery application. Without CELERY_BROKER_URL (the embedded default) tasks run eagerly in
the calling process; with it, workers and one beat run them (see docs and the Makefile)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("reintegration")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["registry", "outreach"])
