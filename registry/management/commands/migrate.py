"""``migrate`` as the owner role: creates the runtime role where the owner may (a developer's
machine, the tests), applies the migrations, then grants the runtime role what it needs — on
the audit tables only SELECT and INSERT (registry/dbroles.py)."""

from typing import Any

from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import connections

from registry import dbroles


class Command(DjangoMigrate):
    def handle(self, *args: Any, **options: Any) -> None:
        database = options["database"]
        with dbroles.as_owner(database):
            connection = connections[database]
            if connection.vendor == "postgresql" and not options.get("check_unapplied"):
                with connection.cursor() as cursor:
                    note = dbroles.ensure_runtime_role(cursor)
                if note and options["verbosity"] >= 1:
                    self.stderr.write(note)
            super().handle(*args, **options)
            if connection.vendor == "postgresql" and not options.get("check_unapplied"):
                with connection.cursor() as cursor:
                    dbroles.grant_runtime(cursor)
