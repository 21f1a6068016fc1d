"""``migrate`` as the owner role: creates the runtime role where the owner may (a developer's
machine, the tests), applies the migrations, then grants the runtime role what it needs — on
the audit tables only SELECT and INSERT (registry/dbroles.py).

Everything runs as the owner, Django's system checks included: they open a connection (the
server's version, for the constraints' checks), and on a new server the runtime role they would
log in as does not exist until this command has created it."""

from typing import Any

from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import connections

from registry import dbroles


class Command(DjangoMigrate):
    def execute(self, *args: Any, **options: Any) -> Any:
        database = options.get("database") or "default"
        with dbroles.as_owner(database):
            connection = connections[database]
            manage_roles = connection.vendor == "postgresql" and not options.get("check_unapplied")
            if manage_roles:
                with connection.cursor() as cursor:
                    note = dbroles.ensure_runtime_role(cursor)
                if note and options.get("verbosity", 1) >= 1:
                    self.stderr.write(note)
            result = super().execute(*args, **options)
            if manage_roles:
                with connection.cursor() as cursor:
                    dbroles.grant_runtime(cursor)
            return result
