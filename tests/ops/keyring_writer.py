"""A process that keeps writing people with the keyring of its environment (the key rotation test,
tests/ops/test_key_rotation.py): one line per attempt, "ok <key id>" or "refused", until the file
named by its first argument exists."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from registry import crypto  # noqa: E402
from registry.models import Person, User  # noqa: E402
from registry.services.keys import StaleKeyringError  # noqa: E402
from tests.factories import make_person  # noqa: E402

stop = Path(sys.argv[1])
actor, _ = User.objects.get_or_create(username="keyring-writer")
serial = int(sys.argv[2]) if len(sys.argv) > 2 else 0
while not stop.exists():
    serial += 1
    try:
        person = make_person(actor, national_id=f"011085{serial:06d}")
    except StaleKeyringError:
        print("refused", flush=True)
    else:
        raw = Person.objects.filter(pk=person.pk).values_list("national_id", flat=True).get()
        print("ok", crypto.sealed_key_id(bytes(raw)), flush=True)
    time.sleep(0.2)
