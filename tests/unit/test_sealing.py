"""The seal: only a reviewer's private key opens a report, and any tampering is detected."""
import dataclasses

import pytest

from bot.reports.sealing import CLASSIC, HYBRID, PrivateKey, SealError, open_sealed, seal


@pytest.fixture(params=[HYBRID, CLASSIC])
def reviewer(request):
    return PrivateKey.generate(request.param)


def test_a_sealed_report_opens_with_the_reviewer_key(reviewer):
    sealed = seal("report-1", b"what happened", [reviewer.public_key()])
    assert b"what happened" not in sealed.ciphertext
    assert open_sealed(sealed, reviewer) == b"what happened"


def test_every_reviewer_can_open_and_a_stranger_cannot(reviewer):
    other = PrivateKey.generate(HYBRID)
    stranger = PrivateKey.generate(HYBRID)
    sealed = seal("r", b"x", [reviewer.public_key(), other.public_key()])
    assert open_sealed(sealed, other) == b"x"
    with pytest.raises(SealError):
        open_sealed(sealed, stranger)


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 1]) + data[at + 1:]


def test_changing_any_byte_of_the_ciphertext_fails(reviewer):
    sealed = seal("r", b"some report text", [reviewer.public_key()])
    for i in range(len(sealed.ciphertext)):
        with pytest.raises(SealError):
            open_sealed(dataclasses.replace(sealed, ciphertext=_flip(sealed.ciphertext, i)), reviewer)


def test_changing_the_wrapped_key_or_nonce_fails(reviewer):
    sealed = seal("r", b"x", [reviewer.public_key()])
    key_id, (suite, wrapped) = next(iter(sealed.wrapped_keys.items()))
    for i in (0, len(wrapped) // 2, len(wrapped) - 1):
        tampered = dataclasses.replace(sealed, wrapped_keys={key_id: (suite, _flip(wrapped, i))})
        with pytest.raises(SealError):
            open_sealed(tampered, reviewer)
    with pytest.raises(SealError):
        open_sealed(dataclasses.replace(sealed, nonce=_flip(sealed.nonce, 0)), reviewer)


def test_a_sealed_payload_moved_to_another_report_fails(reviewer):
    sealed = seal("report-a", b"x", [reviewer.public_key()], "R-AAAA-BBBB", "2026-11-29")
    assert open_sealed(sealed, reviewer) == b"x"
    for changed in ({"report_id": "report-b"}, {"schema_version": 1}, {"reference": "R-AAAA-CCCC"},
                    {"received_on": "2026-01-01"}):
        with pytest.raises(SealError):
            open_sealed(dataclasses.replace(sealed, **changed), reviewer)


def test_sealing_without_any_reviewer_is_refused():
    with pytest.raises(SealError):
        seal("r", b"x", [])


def test_private_key_round_trip_keeps_the_key_id(reviewer):
    again = PrivateKey(reviewer.suite, reviewer.raw)
    assert again.public_key().key_id == reviewer.public_key().key_id
