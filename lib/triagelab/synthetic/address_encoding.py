"""Base58, Base58Check and Bech32 encoders used to build blockchain addresses."""

from __future__ import annotations

import hashlib

import numpy as np
import pyarrow as pa

BITCOIN_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
"""Base58 alphabet of Bitcoin, Tron and Solana."""

RIPPLE_ALPHABET = "rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz"
"""Base58 alphabet of the XRP Ledger, whose first symbol ``r`` is what version 0 encodes to."""

BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
"""The 32 symbols of Bech32 (BIP 173), indexed by 5-bit value."""

_BECH32_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
_BECH32_CHECKSUM_LENGTH = 6


def b58encode(data: bytes, alphabet: str = BITCOIN_ALPHABET) -> str:
    """Encode bytes as Base58, one leading zero symbol per leading zero byte."""
    leading_zeros = len(data) - len(data.lstrip(b"\x00"))
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(alphabet[remainder])
    return alphabet[0] * leading_zeros + "".join(reversed(digits))


def b58decode(text: str, alphabet: str = BITCOIN_ALPHABET) -> bytes:
    """Decode Base58 text into bytes.

    Raises
    ------
    ValueError
        If ``text`` contains a symbol outside ``alphabet``.
    """
    number = 0
    for symbol in text:
        value = alphabet.find(symbol)
        if value < 0:
            raise ValueError(f"invalid Base58 symbol {symbol!r} in {text!r}")
        number = number * 58 + value
    leading_zeros = len(text) - len(text.lstrip(alphabet[0]))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\x00" * leading_zeros + body


def double_sha256_checksum(payload: bytes) -> bytes:
    """Return the first 4 bytes of SHA-256(SHA-256(payload)), the Base58Check checksum."""
    return hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]


def b58check_encode(payload: bytes, alphabet: str = BITCOIN_ALPHABET) -> str:
    """Encode ``payload`` (version byte included) as Base58Check."""
    return b58encode(payload + double_sha256_checksum(payload), alphabet)


def b58check_decode(text: str, alphabet: str = BITCOIN_ALPHABET) -> bytes:
    """Decode Base58Check text and return the payload without its checksum.

    Raises
    ------
    ValueError
        If the text is not Base58 or its checksum does not match.
    """
    raw = b58decode(text, alphabet)
    payload, checksum = raw[:-4], raw[-4:]
    if len(raw) < 5 or double_sha256_checksum(payload) != checksum:
        raise ValueError(f"invalid Base58Check checksum in {text!r}")
    return payload


def bech32_polymod(values: list[int]) -> int:
    """Compute the BCH remainder that Bech32 checksums are built from (BIP 173)."""
    checksum = 1
    for value in values:
        top = checksum >> 25
        checksum = ((checksum & 0x1FFFFFF) << 5) ^ value
        for i, generator in enumerate(_BECH32_GENERATOR):
            if (top >> i) & 1:
                checksum ^= generator
    return checksum


def bech32_hrp_expand(hrp: str) -> list[int]:
    """Expand a human-readable part into the values that enter the checksum."""
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def bech32_checksum(hrp: str, data: list[int]) -> list[int]:
    """Return the six 5-bit checksum values for ``data`` under ``hrp`` (Bech32, not Bech32m)."""
    remainder = bech32_polymod(bech32_hrp_expand(hrp) + data + [0] * _BECH32_CHECKSUM_LENGTH) ^ 1
    return [(remainder >> 5 * (5 - i)) & 31 for i in range(_BECH32_CHECKSUM_LENGTH)]


def convert_bits(data: bytes, from_bits: int, to_bits: int) -> list[int]:
    """Regroup ``data`` from ``from_bits``-bit to ``to_bits``-bit values, zero-padding the end."""
    accumulator = 0
    bit_count = 0
    result = []
    max_value = (1 << to_bits) - 1
    for value in data:
        accumulator = (accumulator << from_bits) | value
        bit_count += from_bits
        while bit_count >= to_bits:
            bit_count -= to_bits
            result.append((accumulator >> bit_count) & max_value)
    if bit_count:
        result.append((accumulator << (to_bits - bit_count)) & max_value)
    return result


def bech32_encode(hrp: str, data: list[int]) -> str:
    """Encode 5-bit ``data`` values under ``hrp`` as a Bech32 string with its checksum."""
    symbols = data + bech32_checksum(hrp, data)
    return hrp + "1" + "".join(BECH32_CHARSET[value] for value in symbols)


def segwit_v0_address(hrp: str, program: bytes) -> str:
    """Encode a version-0 witness program (20 bytes for P2WPKH) as a Bech32 address."""
    return bech32_encode(hrp, [0, *convert_bits(program, 8, 5)])


# --- many at once ---------------------------------------------------------------------
# The functions below encode the rows of a uint8 array at once with numpy and give the
# same text as the one-at-a-time encoders above, row by row.


def b58encode_many(rows: np.ndarray, alphabet: str = BITCOIN_ALPHABET) -> list[str]:
    """Encode each row of an (n, length) uint8 array as Base58, like `b58encode` per row."""
    rows = np.asarray(rows, dtype=np.uint8)
    n, length = rows.shape
    # Long division of the big-endian number by 58**5, over 16-bit limbs, yields five Base58
    # digits per pass. Each step's remainder * 2**16 + limb stays below 2**46, inside int64.
    width = -(-(int(np.ceil(length * np.log(256) / np.log(58))) + 1) // 5) * 5
    padded = np.zeros((n, length + length % 2), dtype=np.int64)
    padded[:, length % 2 :] = rows
    number = padded[:, 0::2] * 256 + padded[:, 1::2]
    digits = np.zeros((n, width), dtype=np.int64)
    for position in range(width - 5, -1, -5):
        remainder = np.zeros(n, dtype=np.int64)
        for column in range(number.shape[1]):
            remainder = remainder * 65_536 + number[:, column]
            number[:, column] = remainder // 58**5
            remainder %= 58**5
        for offset in range(4, -1, -1):
            digits[:, position + offset] = remainder % 58
            remainder //= 58

    leading_zeros = np.argmax(rows != 0, axis=1)
    leading_zeros[~(rows != 0).any(axis=1)] = length
    nonzero = digits != 0
    first_digit = np.where(nonzero.any(axis=1), np.argmax(nonzero, axis=1), width)
    symbols = np.frombuffer(alphabet.encode("ascii"), dtype=np.uint8)
    text = np.concatenate(
        [np.full((n, length), symbols[0], dtype=np.uint8), symbols[digits]], axis=1
    )
    keep = np.concatenate(
        [
            np.arange(length)[None, :] < leading_zeros[:, None],
            np.arange(width)[None, :] >= first_digit[:, None],
        ],
        axis=1,
    )
    return _split_rows(text, keep)


def b58check_encode_many(payloads: np.ndarray, alphabet: str = BITCOIN_ALPHABET) -> list[str]:
    """Encode each row of an (n, length) uint8 array as Base58Check, like `b58check_encode`."""
    payloads = np.ascontiguousarray(payloads, dtype=np.uint8)
    checksums = b"".join(double_sha256_checksum(row.tobytes()) for row in payloads)
    checksum_rows = np.frombuffer(checksums, dtype=np.uint8).reshape(len(payloads), 4)
    return b58encode_many(np.concatenate([payloads, checksum_rows], axis=1), alphabet)


def segwit_v0_addresses(hrp: str, programs: np.ndarray) -> list[str]:
    """Encode each row of an (n, 20) uint8 array as a P2WPKH address, like `segwit_v0_address`."""
    programs = np.asarray(programs, dtype=np.uint8)
    n, length = programs.shape
    bits = np.unpackbits(programs, axis=1)
    padded = np.zeros((n, -(-8 * length // 5) * 5), dtype=np.uint8)
    padded[:, : bits.shape[1]] = bits
    weights = np.array([16, 8, 4, 2, 1], dtype=np.int64)
    data = padded.reshape(n, padded.shape[1] // 5, 5).astype(np.int64) @ weights
    data = np.concatenate([np.zeros((n, 1), dtype=np.int64), data], axis=1)
    expanded = np.broadcast_to(
        np.array(bech32_hrp_expand(hrp), dtype=np.int64), (n, 2 * len(hrp) + 1)
    )
    values = np.concatenate(
        [expanded, data, np.zeros((n, _BECH32_CHECKSUM_LENGTH), dtype=np.int64)], axis=1
    )
    checksum = np.ones(n, dtype=np.int64)
    for column in range(values.shape[1]):
        top = checksum >> 25
        checksum = ((checksum & 0x1FFFFFF) << 5) ^ values[:, column]
        for i, generator in enumerate(_BECH32_GENERATOR):
            checksum ^= np.where((top >> i) & 1, generator, 0)
    checksum ^= 1
    shifts = 5 * np.arange(_BECH32_CHECKSUM_LENGTH - 1, -1, -1)
    symbols = np.concatenate([data, (checksum[:, None] >> shifts[None, :]) & 31], axis=1)
    charset = np.frombuffer(BECH32_CHARSET.encode("ascii"), dtype=np.uint8)
    head = np.frombuffer((hrp + "1").encode("ascii"), dtype=np.uint8)
    text = np.concatenate([np.broadcast_to(head, (n, len(head))), charset[symbols]], axis=1)
    return _split_rows(text, np.ones(text.shape, dtype=bool))


def _split_rows(text: np.ndarray, keep: np.ndarray) -> list[str]:
    """Return the ASCII codes of each row of `text` where `keep` is true, as strings."""
    lengths = keep.sum(axis=1)
    offsets = np.zeros(len(text) + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    data = np.ascontiguousarray(text[keep], dtype=np.uint8)
    array = pa.StringArray.from_buffers(len(text), pa.py_buffer(offsets), pa.py_buffer(data))
    return array.to_pylist()
