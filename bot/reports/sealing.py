"""Sealing reports so that only reviewers can open them.

A report is encrypted once with a fresh 256-bit data key (AES-256-GCM). The associated data binds
the ciphertext to its report id, schema version, reference code and date received, so a sealed
payload moved to another report does not open, and whoever can write the database cannot swap a
report's reference or date without the report failing to open. (Reports are not authenticated:
anyone holding the reviewers' public keys can seal a report of their own; see the threat model.) The data key is then wrapped with HPKE (RFC 9180) to each reviewer's public key,
with the report id and the reviewer's key id in HPKE's ``info``. The server holds public keys
only: a stolen server or database dump opens nothing.

Suites: hybrid post-quantum ML-KEM-768 + X25519 by default (reports may have to stay confidential
for decades); classic X25519 is still accepted.
"""
from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric import mlkem, x25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SCHEMA_VERSION = 2  # 2: reference and date received in the associated data; 1 still opens
HYBRID = "mlkem768-x25519"
CLASSIC = "x25519"
SUITES = {
    HYBRID: hpke.Suite(hpke.KEM.MLKEM768_X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM),
    CLASSIC: hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM),
}
DEFAULT_SUITE = HYBRID


class SealError(Exception):
    """A report cannot be sealed or opened (no reviewer keys, tampering, wrong key)."""


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


@dataclass(frozen=True)
class PublicKey:
    """A reviewer's public key: what the server holds."""

    suite: str
    raw: bytes  # ML-KEM-768 public key (1184 bytes) + X25519 public key (32), or X25519 alone
    name: str = ""
    trial: bool = False

    @property
    def key_id(self) -> str:
        return hashlib.sha256(self.suite.encode() + b":" + self.raw).hexdigest()[:16]

    def hpke_key(self):
        if self.suite == HYBRID:
            return hpke.MLKEM768X25519PublicKey(
                mlkem.MLKEM768PublicKey.from_public_bytes(self.raw[:-32]),
                x25519.X25519PublicKey.from_public_bytes(self.raw[-32:]),
            )
        if self.suite == CLASSIC:
            return x25519.X25519PublicKey.from_public_bytes(self.raw)
        raise SealError(f"unknown suite {self.suite!r}")


@dataclass(frozen=True)
class PrivateKey:
    """A reviewer's private key: only ever on the reviewer's own machine."""

    suite: str
    raw: bytes  # ML-KEM-768 seed (64 bytes) + X25519 private key (32), or X25519 alone

    @classmethod
    def generate(cls, suite: str = DEFAULT_SUITE) -> "PrivateKey":
        if suite == HYBRID:
            seed = mlkem.MLKEM768PrivateKey.generate().private_bytes_raw()
            return cls(suite, seed + x25519.X25519PrivateKey.generate().private_bytes_raw())
        if suite == CLASSIC:
            return cls(suite, x25519.X25519PrivateKey.generate().private_bytes_raw())
        raise SealError(f"unknown suite {suite!r}")

    def hpke_key(self):
        if self.suite == HYBRID:
            return hpke.MLKEM768X25519PrivateKey(
                mlkem.MLKEM768PrivateKey.from_seed_bytes(self.raw[:64]),
                x25519.X25519PrivateKey.from_private_bytes(self.raw[64:]),
            )
        return x25519.X25519PrivateKey.from_private_bytes(self.raw)

    def public_key(self, name: str = "", trial: bool = False) -> PublicKey:
        if self.suite == HYBRID:
            mlkem_pub = mlkem.MLKEM768PrivateKey.from_seed_bytes(self.raw[:64]).public_key()
            x_pub = x25519.X25519PrivateKey.from_private_bytes(self.raw[64:]).public_key()
            raw = mlkem_pub.public_bytes_raw() + x_pub.public_bytes_raw()
        else:
            raw = x25519.X25519PrivateKey.from_private_bytes(self.raw).public_key().public_bytes_raw()
        return PublicKey(self.suite, raw, name=name, trial=trial)


@dataclass(frozen=True)
class Sealed:
    report_id: str
    schema_version: int
    nonce: bytes
    ciphertext: bytes
    wrapped_keys: dict[str, tuple[str, bytes]]  # key id -> (suite, HPKE-wrapped data key)
    reference: str = ""
    received_on: str = ""  # ISO date


def associated_data(report_id: str, schema_version: int, reference: str = "", received_on: str = "") -> bytes:
    if schema_version == 1:
        return f"thb-report|id={report_id}|schema=1".encode()
    return f"thb-report|id={report_id}|schema={schema_version}|ref={reference}|received={received_on}".encode()


def _wrap_info(report_id: str, key_id: str) -> bytes:
    return f"thb-report-key|id={report_id}|key={key_id}".encode()


def seal(report_id: str, plaintext: bytes, recipients: list[PublicKey], reference: str = "",
         received_on: str = "") -> Sealed:
    if not recipients:
        raise SealError("no reviewer public key is configured")
    data_key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(12)
    ciphertext = AESGCM(data_key).encrypt(
        nonce, plaintext, associated_data(report_id, SCHEMA_VERSION, reference, received_on)
    )
    wrapped = {
        r.key_id: (
            r.suite,
            SUITES[r.suite].encrypt(data_key, r.hpke_key(), info=_wrap_info(report_id, r.key_id)),
        )
        for r in recipients
    }
    return Sealed(report_id, SCHEMA_VERSION, nonce, ciphertext, wrapped, reference, received_on)


def _data_key(sealed: Sealed, private_key: PrivateKey) -> bytes:
    key_id = private_key.public_key().key_id
    if key_id not in sealed.wrapped_keys:
        raise SealError("this report was not sealed to this reviewer key")
    suite, wrapped = sealed.wrapped_keys[key_id]
    try:
        return SUITES[suite].decrypt(wrapped, private_key.hpke_key(), info=_wrap_info(sealed.report_id, key_id))
    except Exception as exc:
        raise SealError("the report could not be opened: it was altered or the key is wrong") from exc


def rewrap(sealed: Sealed, private_key: PrivateKey, recipient: PublicKey) -> tuple[str, bytes]:
    """The report's data key wrapped for one more reviewer, by a reviewer who can open it.

    The report itself is not decrypted or changed; it is checked to open first, so a damaged
    report is not handed on as if it were sound.
    """
    data_key = _data_key(sealed, private_key)
    _open_payload(sealed, data_key)
    wrapped = SUITES[recipient.suite].encrypt(data_key, recipient.hpke_key(),
                                              info=_wrap_info(sealed.report_id, recipient.key_id))
    return recipient.suite, wrapped


def open_sealed(sealed: Sealed, private_key: PrivateKey) -> bytes:
    return _open_payload(sealed, _data_key(sealed, private_key))


def _open_payload(sealed: Sealed, data_key: bytes) -> bytes:
    try:
        return AESGCM(data_key).decrypt(
            sealed.nonce, sealed.ciphertext,
            associated_data(sealed.report_id, sealed.schema_version, sealed.reference, sealed.received_on)
        )
    except Exception as exc:  # InvalidTag and HPKE errors: tampered, moved or wrong key
        raise SealError("the report could not be opened: it was altered or the key is wrong") from exc
