"""Base58, Base58Check and Bech32 encoders used to build blockchain addresses."""

from __future__ import annotations

import hashlib

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
