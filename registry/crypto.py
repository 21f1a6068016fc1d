"""Field encryption and blind indexes (DESIGN.md section 5).

A value is sealed with AES-256-GCM under the keyring's primary key, with a random 96-bit nonce and
the associated data ``table|column|row uuid``: a ciphertext copied into another row or column no
longer opens. The sealed bytes carry the id of the key that sealed them, so older keys stay usable
for reading (decrypt-only) until ``manage.py rotate_encryption_keys`` has re-sealed everything.

Sealed layout: ``b"\\x01" | len(key id) (1 byte) | key id (ASCII) | nonce (12) | ciphertext+tag``.

Blind indexes are HMAC-SHA256 over normalised input under a per-field key derived (HKDF) from a
separate index key, so equal inputs give equal indexes without revealing the input.

Keys come from settings (the environment) or from a JSON keyring file::

    {"primary": "k2", "keys": {"k2": "<base64 32 bytes>", "k1": "<base64>"},
     "blind_index_key": "<base64 32 bytes>"}

Nothing here ever derives a key from SECRET_KEY.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

FORMAT_VERSION = 1
NONCE_BYTES = 12
KEY_BYTES = 32


class DecryptionError(Exception):
    """A sealed value could not be opened: wrong row, tampered bytes or an unknown key.

    The message never contains the value or the key.
    """


@dataclass(frozen=True)
class Keyring:
    primary_id: str
    keys: dict[str, bytes]
    blind_index_key: bytes
    _ciphers: dict[str, AESGCM] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.primary_id not in self.keys:
            raise ImproperlyConfigured(
                "Khóa chính của bộ khóa mã hóa không có trong danh sách khóa."
            )
        for key_id, key in self.keys.items():
            if len(key) != KEY_BYTES:
                raise ImproperlyConfigured(f"Khóa mã hóa '{key_id}' phải dài 32 byte (AES-256).")
            if not key_id.isascii() or not 0 < len(key_id) < 256:
                raise ImproperlyConfigured("Mã khóa phải là chuỗi ASCII ngắn.")
            self._ciphers[key_id] = AESGCM(key)
        if len(self.blind_index_key) != KEY_BYTES:
            raise ImproperlyConfigured("Khóa chỉ mục mù (BLIND_INDEX_KEY) phải dài 32 byte.")

    def __repr__(self) -> str:  # never print key material
        return f"Keyring(primary={self.primary_id!r}, key_ids={sorted(self.keys)!r})"

    def seal(self, plaintext: str, aad: bytes) -> bytes:
        key_id = self.primary_id.encode("ascii")
        nonce = os.urandom(NONCE_BYTES)
        body = self._ciphers[self.primary_id].encrypt(nonce, plaintext.encode("utf-8"), aad)
        return bytes((FORMAT_VERSION, len(key_id))) + key_id + nonce + body

    def open(self, sealed: bytes, aad: bytes) -> str:
        key_id, nonce, body = split_sealed(sealed)
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise DecryptionError(f"Không có khóa '{key_id}' để giải mã (khóa đã bị gỡ?).")
        try:
            return cipher.decrypt(nonce, body, aad).decode("utf-8")
        except InvalidTag:
            raise DecryptionError(
                "Không giải mã được: dữ liệu bị sửa hoặc không thuộc dòng này."
            ) from None

    def blind_index(self, purpose: str, normalised: str) -> str:
        return hmac.new(
            _derive_index_key(self.blind_index_key, purpose),
            normalised.encode("utf-8"),
            hashlib.sha256,
        ).hexdigest()


def split_sealed(sealed: bytes) -> tuple[str, bytes, bytes]:
    """(key id, nonce, ciphertext) of a sealed value, or DecryptionError if it is malformed."""
    if len(sealed) < 2 or sealed[0] != FORMAT_VERSION:
        raise DecryptionError("Định dạng dữ liệu mã hóa không hợp lệ.")
    id_len = sealed[1]
    key_id = sealed[2 : 2 + id_len].decode("ascii", errors="replace")
    nonce = sealed[2 + id_len : 2 + id_len + NONCE_BYTES]
    body = sealed[2 + id_len + NONCE_BYTES :]
    if len(nonce) != NONCE_BYTES or len(body) < 16:
        raise DecryptionError("Định dạng dữ liệu mã hóa không hợp lệ.")
    return key_id, nonce, body


def sealed_key_id(sealed: bytes) -> str:
    return split_sealed(sealed)[0]


def associated_data(table: str, column: str, row_id: object) -> bytes:
    return f"{table}|{column}|{row_id}".encode()


@cache
def _derive_index_key(master: bytes, purpose: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=KEY_BYTES,
        salt=None,
        info=f"blind-index|{purpose}".encode(),
    ).derive(master)


def new_key() -> str:
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def _b64(value: str, what: str) -> bytes:
    try:
        return base64.b64decode(value.strip(), validate=True)
    except ValueError:
        raise ImproperlyConfigured(f"{what} không phải base64 hợp lệ.") from None


def keyring_from_config(keys_spec: str, index_key: str) -> Keyring:
    """Parse the environment form: ``"k2:<b64>,k1:<b64>"`` (primary first) and one index key."""
    keys: dict[str, bytes] = {}
    order: list[str] = []
    for item in filter(None, (part.strip() for part in keys_spec.split(","))):
        key_id, sep, value = item.partition(":")
        if not sep:
            raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS phải có dạng 'id:base64,id:base64'.")
        keys[key_id.strip()] = _b64(value, f"Khóa '{key_id.strip()}'")
        order.append(key_id.strip())
    if not order:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS không có khóa nào.")
    return Keyring(
        primary_id=order[0], keys=keys, blind_index_key=_b64(index_key, "BLIND_INDEX_KEY")
    )


def keyring_from_file(path: Path) -> Keyring:
    data = json.loads(path.read_text(encoding="utf-8"))
    return Keyring(
        primary_id=data["primary"],
        keys={k: _b64(v, f"Khóa '{k}'") for k, v in data["keys"].items()},
        blind_index_key=_b64(data["blind_index_key"], "blind_index_key"),
    )


def write_keyring_file(
    path: Path, *, primary: str, keys: dict[str, str], blind_index_key: str
) -> None:
    """Write a keyring file readable by its owner only (0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(
        {"primary": primary, "keys": keys, "blind_index_key": blind_index_key}, indent=2
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(payload + "\n")


@cache
def keyring() -> Keyring:
    """The configured keyring: settings first, then the keyring file, then (development only) a
    freshly generated file in var/. Anything else is a configuration error, never a default."""
    if settings.FIELD_ENCRYPTION_KEYS:
        if not settings.BLIND_INDEX_KEY:
            raise ImproperlyConfigured("Có FIELD_ENCRYPTION_KEYS nhưng thiếu BLIND_INDEX_KEY.")
        return keyring_from_config(settings.FIELD_ENCRYPTION_KEYS, settings.BLIND_INDEX_KEY)
    path = Path(settings.KEYRING_FILE)
    if not path.exists():
        if not settings.ENCRYPTION_DEV_KEYS:
            raise ImproperlyConfigured(
                "Chưa cấu hình khóa mã hóa: đặt FIELD_ENCRYPTION_KEYS và BLIND_INDEX_KEY, "
                "hoặc KEYRING_FILE trỏ tới tệp bộ khóa."
            )
        write_keyring_file(
            path, primary="dev1", keys={"dev1": new_key()}, blind_index_key=new_key()
        )
    return keyring_from_file(path)


@receiver(setting_changed)
def _reset_keyring(*, setting: str, **kwargs: object) -> None:
    if setting in {
        "FIELD_ENCRYPTION_KEYS",
        "BLIND_INDEX_KEY",
        "KEYRING_FILE",
        "ENCRYPTION_DEV_KEYS",
    }:
        keyring.cache_clear()
