"""The keyring: a sealed value is bound to its row, tampering is detected, indexes are stable."""

from __future__ import annotations

import base64

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given
from hypothesis import strategies as st

from registry import crypto


def ring(primary: str = "k1", **keys: str) -> crypto.Keyring:
    keys = keys or {primary: crypto.new_key()}
    return crypto.keyring_from_config(
        ",".join(f"{k}:{v}" for k, v in sorted(keys.items(), key=lambda kv: kv[0] != primary)),
        crypto.new_key(),
    )


AAD = crypto.associated_data("registry_person", "national_id", "6f1c…")


class KeyringTests:
    @given(st.text(max_size=300))
    def test_it_opens_what_it_sealed(self, text: str) -> None:
        keyring = ring()
        assert keyring.open(keyring.seal(text, AAD), AAD) == text

    @given(st.text(min_size=1, max_size=50))
    def test_ciphertext_never_contains_the_plaintext_bytes(self, text: str) -> None:
        keyring = ring()
        sealed = keyring.seal(text * 3, AAD)
        assert (text * 3).encode() not in sealed[2 + len(keyring.primary_id) + crypto.NONCE_BYTES :]

    def test_the_same_value_seals_differently_each_time(self) -> None:
        keyring = ring()
        assert keyring.seal("014085000001", AAD) != keyring.seal("014085000001", AAD)

    def test_a_value_sealed_for_one_row_does_not_open_for_another(self) -> None:
        keyring = ring()
        sealed = keyring.seal("014085000001", AAD)
        other_row = crypto.associated_data("registry_person", "national_id", "another-row")
        with pytest.raises(crypto.DecryptionError):
            keyring.open(sealed, other_row)

    def test_a_value_sealed_for_one_column_does_not_open_for_another(self) -> None:
        keyring = ring()
        sealed = keyring.seal("Thái", crypto.associated_data("t", "ethnicity", 1))
        with pytest.raises(crypto.DecryptionError):
            keyring.open(sealed, crypto.associated_data("t", "address", 1))

    @given(st.integers(min_value=0, max_value=40))
    def test_any_flipped_byte_is_detected(self, position: int) -> None:
        keyring = ring()
        sealed = bytearray(keyring.seal("Lò Văn Pàng", AAD))
        position = (
            2 + len(keyring.primary_id) + position % (len(sealed) - 2 - len(keyring.primary_id))
        )
        sealed[position] ^= 0x01
        with pytest.raises(crypto.DecryptionError):
            keyring.open(bytes(sealed), AAD)

    def test_old_keys_still_open_and_new_values_use_the_primary(self) -> None:
        old_key, new_key = crypto.new_key(), crypto.new_key()
        index_key = crypto.new_key()
        before = crypto.keyring_from_config(f"old:{old_key}", index_key)
        sealed_before = before.seal("0912345678", AAD)
        after = crypto.keyring_from_config(f"new:{new_key},old:{old_key}", index_key)
        assert after.open(sealed_before, AAD) == "0912345678"
        assert crypto.sealed_key_id(after.seal("x", AAD)) == "new"

    def test_a_removed_key_cannot_open_its_values(self) -> None:
        first = ring("a")
        sealed = first.seal("secret", AAD)
        with pytest.raises(crypto.DecryptionError, match="'a'"):
            ring("b").open(sealed, AAD)

    def test_decryption_errors_never_contain_the_value(self) -> None:
        keyring = ring()
        sealed = keyring.seal("014085000001", AAD)
        with pytest.raises(crypto.DecryptionError) as caught:
            keyring.open(sealed, b"wrong")
        assert "014085000001" not in str(caught.value)

    def test_keys_of_the_wrong_length_are_refused(self) -> None:
        short = base64.b64encode(b"x" * 16).decode()
        with pytest.raises(ImproperlyConfigured):
            crypto.keyring_from_config(f"k:{short}", crypto.new_key())

    def test_malformed_key_settings_are_refused(self) -> None:
        with pytest.raises(ImproperlyConfigured):
            crypto.keyring_from_config("no-colon-here", crypto.new_key())
        with pytest.raises(ImproperlyConfigured):
            crypto.keyring_from_config("k:not base64!", crypto.new_key())

    def test_repr_never_shows_key_material(self) -> None:
        key = crypto.new_key()
        keyring = crypto.keyring_from_config(f"k:{key}", crypto.new_key())
        assert key not in repr(keyring)


class BlindIndexTests:
    @given(st.text(max_size=40))
    def test_it_is_deterministic(self, text: str) -> None:
        keyring = ring()
        assert keyring.blind_index("person.phone", text) == keyring.blind_index(
            "person.phone", text
        )

    @given(st.text(max_size=40), st.text(max_size=40))
    def test_different_inputs_give_different_indexes(self, a: str, b: str) -> None:
        keyring = ring()
        assert (keyring.blind_index("p", a) == keyring.blind_index("p", b)) == (a == b)

    def test_each_field_has_its_own_derived_key(self) -> None:
        keyring = ring()
        assert keyring.blind_index("person.phone", "1") != keyring.blind_index(
            "person.national_id", "1"
        )

    def test_it_depends_on_the_index_key(self) -> None:
        assert ring().blind_index("p", "014085000001") != ring().blind_index("p", "014085000001")


class ConfiguredKeyringTests:
    def test_without_keys_and_without_development_mode_it_refuses_to_start(
        self, settings, tmp_path
    ) -> None:
        settings.FIELD_ENCRYPTION_KEYS = ""
        settings.BLIND_INDEX_KEY = ""
        settings.KEYRING_FILE = str(tmp_path / "missing.json")
        settings.ENCRYPTION_DEV_KEYS = False
        with pytest.raises(ImproperlyConfigured):
            crypto.keyring()

    def test_development_mode_writes_a_private_keyring_file(self, settings, tmp_path) -> None:
        settings.FIELD_ENCRYPTION_KEYS = ""
        settings.KEYRING_FILE = str(tmp_path / "keys" / "keyring.json")
        settings.ENCRYPTION_DEV_KEYS = True
        keyring = crypto.keyring()
        path = tmp_path / "keys" / "keyring.json"
        assert path.stat().st_mode & 0o777 == 0o600
        assert crypto.keyring_from_file(path).keys == keyring.keys

    def test_keys_are_never_derived_from_the_secret_key(self, settings) -> None:
        settings.SECRET_KEY = "another-secret-key"
        before = crypto.keyring().seal("x", AAD)
        assert crypto.keyring().open(before, AAD) == "x"
