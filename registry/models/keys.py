"""What the database knows of the encryption keyring (docs/operations.md section 5).

``EncryptionKey``: every key id a process's keyring has ever announced, in the order they were
first seen (the newest is the primary every process must write with). A key stays "in use" until
``rotate_encryption_keys`` has proved that no value is sealed under it any more (``retired_at``).
Only key ids are stored, never key material.

``KeyringProcess``: the processes that checked their keyring against the table lately (host, pid,
what they run, their primary), so that a rotation can name the ones still on an old keyring.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class EncryptionKey(models.Model):
    id = models.BigAutoField(primary_key=True)
    key_id = models.CharField(max_length=255, unique=True)
    announced_at = models.DateTimeField(default=timezone.now)
    # Announced as a primary by some process (a key first seen as an older, decrypt-only key of a
    # keyring never becomes "the newest").
    was_primary = models.BooleanField(default=False)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.key_id


class KeyringProcess(models.Model):
    id = models.BigAutoField(primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.IntegerField()
    program = models.CharField(max_length=255, blank=True)
    primary_key_id = models.CharField(max_length=255)
    key_ids = models.CharField(max_length=1000, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["host", "pid"], name="keyring_process_host_pid")
        ]

    def __str__(self) -> str:
        return f"{self.program} {self.host}:{self.pid}"
