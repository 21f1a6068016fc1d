"""Logs without personal data (issue 9): national IDs, phone numbers in every usual spelling,
ciphertext and blind indexes are fed to the logging configuration of the project and the output is
searched for them; every line is JSON with the request id, which Celery tasks inherit."""

from __future__ import annotations

import io
import json
import logging
import logging.config
from types import SimpleNamespace

import pytest
from django.conf import settings

from config import celery as celery_config
from registry import crypto
from registry.audit import RequestContext, current

SECRETS = {
    "national_id": "014085000123",
    "phone_local": "0912345678",
    "phone_e164": "+84912345678",
    "phone_zns": "84912345678",
    "phone_spaced": "0912 345 678",
    "phone_dotted": "091.234.5678",
}


@pytest.fixture
def captured():
    """The project's LOGGING with its console handler writing into a buffer."""
    buffer = io.StringIO()
    config = {**settings.LOGGING, "handlers": {**settings.LOGGING["handlers"]}}
    config["handlers"]["console"] = {
        **settings.LOGGING["handlers"]["console"],
        "formatter": "json",
        "stream": buffer,
    }
    logging.config.dictConfig(config)
    yield buffer
    logging.config.dictConfig(settings.LOGGING)


class RedactionTests:
    def test_no_id_phone_ciphertext_or_index_survives(self, captured, test_keyring):
        sealed = crypto.keyring().seal("Bản Hìn, phường Tô Hiệu", b"registry_person|address|x")
        index = crypto.keyring().blind_index("person.phone", "+84912345678")
        log = logging.getLogger("registry.test")
        log.warning("person %s called from %s", SECRETS["national_id"], SECRETS["phone_local"])
        log.warning("sending to %(to)s", {"to": SECRETS["phone_e164"]})
        log.error(
            "zns %s / %s / %s",
            SECRETS["phone_zns"],
            SECRETS["phone_spaced"],
            SECRETS["phone_dotted"],
        )
        log.info("row sealed=%r index=%s", sealed, index)
        try:
            raise ValueError(f"bad phone {SECRETS['phone_local']} for {SECRETS['national_id']}")
        except ValueError:
            log.exception("while saving")
        output = captured.getvalue()
        lines = output.strip().splitlines()
        assert len(lines) == 5
        for value in [*SECRETS.values(), index, "912345678"]:
            assert value not in output, value
        assert "\\x" not in output and repr(sealed)[:12] not in output
        assert all(json.loads(line)["message"] for line in lines)  # still readable lines
        assert "while saving" in output and "ValueError" in output

    def test_file_paths_in_tracebacks_stay_readable(self, captured):
        path = "/srv/reintegration/.venv/lib/python3.11/site-packages/celery/beat/schedule.py"
        logging.getLogger("celery.beat").warning("cannot open %s", path)
        assert path in json.loads(captured.getvalue())["message"]

    def test_a_base64_key_is_hidden(self, captured, test_keyring):
        key = crypto.new_key()
        logging.getLogger("registry.test").warning("key %s", key)
        assert key not in captured.getvalue()

    def test_ordinary_numbers_stay(self, captured):
        logging.getLogger("outreach.test").info(
            "sent %d messages in 0.0086 s, campaign 12, 1500 rows", 250
        )
        message = json.loads(captured.getvalue())["message"]
        assert message == "sent 250 messages in 0.0086 s, campaign 12, 1500 rows"


class RequestIdTests:
    def test_each_line_carries_the_request_id(self, captured):
        token = current.set(RequestContext(request_id="4f1c2a9e8b7d4c3fa0e1d2c3b4a59687"))
        try:
            logging.getLogger("registry.test").warning("hello")
        finally:
            current.reset(token)
        assert json.loads(captured.getvalue())["request_id"] == "4f1c2a9e8b7d4c3fa0e1d2c3b4a59687"

    def test_a_task_inherits_the_request_id_of_the_request_that_queued_it(self):
        headers: dict = {}
        token = current.set(RequestContext(request_id="req-7"))
        try:
            celery_config._carry_request_id(headers=headers)
        finally:
            current.reset(token)
        assert headers == {"request_id": "req-7"}
        task = SimpleNamespace(request=SimpleNamespace(request_id="req-7"))
        celery_config._adopt_request_id(task=task)
        assert current.get().request_id == "req-7"
        current.set(None)
