#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import secrets
import sys

# Commands that read the code only (no request is signed, no session or token is made): they run
# without DJANGO_SECRET_KEY, with a key of this process alone, so that `makemigrations --check`
# or the schema can be produced on a checkout that has no secrets. Everything else still refuses
# to start without one outside development (config/settings.py).
OFFLINE_COMMANDS = {"makemigrations", "spectacular", "makemessages", "compilemessages"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if len(sys.argv) > 1 and sys.argv[1] in OFFLINE_COMMANDS:
        os.environ.setdefault("DJANGO_SECRET_KEY", "offline-" + secrets.token_urlsafe(32))
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
