"""Generate blockchain addresses, transaction hashes and address-poisoning look-alikes."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache

import numpy as np

from triagelab.synthetic.address_encoding import (
    BECH32_CHARSET,
    BITCOIN_ALPHABET,
    RIPPLE_ALPHABET,
    b58check_decode,
    b58check_encode,
    b58check_encode_many,
    b58decode,
    b58encode,
    b58encode_many,
    bech32_checksum,
    bech32_hrp_expand,
    bech32_polymod,
    convert_bits,
    double_sha256_checksum,
    segwit_v0_address,
    segwit_v0_addresses,
)
from triagelab.synthetic.keccak import keccak256, keccak256_many

logger = logging.getLogger(__name__)

CHAINS: tuple[str, ...] = ("bitcoin", "ethereum", "tron", "solana", "xrp", "bsc")
"""Chains that addresses and transaction hashes can be generated for."""


@dataclass(frozen=True)
class AssetNetwork:
    """One asset as it moves on one chain."""

    asset: str
    chain: str
    standard: str
    """``native`` for the chain's own coin, otherwise the token standard (``ERC-20``, ...)."""


ASSET_NETWORKS: tuple[AssetNetwork, ...] = (
    AssetNetwork("BTC", "bitcoin", "native"),
    AssetNetwork("ETH", "ethereum", "native"),
    AssetNetwork("USDT", "tron", "TRC-20"),
    AssetNetwork("USDT", "ethereum", "ERC-20"),
    AssetNetwork("USDC", "ethereum", "ERC-20"),
    AssetNetwork("USDC", "solana", "SPL"),
    AssetNetwork("SOL", "solana", "native"),
    AssetNetwork("XRP", "xrp", "native"),
    AssetNetwork("BNB", "bsc", "native"),
)
"""Every (asset, chain) pair the generator uses. A deposit on any other pair is a wrong network."""

ASSETS: tuple[str, ...] = tuple(dict.fromkeys(pair.asset for pair in ASSET_NETWORKS))
"""Asset symbols in the order of ``ASSET_NETWORKS``."""

LOOKALIKE_MATCH: dict[str, tuple[int, int]] = {
    "bech32": (8, 6),
    "eip55": (8, 6),
    "base58": (6, 6),
    "base58check": (6, 3),
}
"""Characters a look-alike shares with its original, as (prefix, suffix), per address format.

- ``bech32`` (bitcoin ``bc1q...``): ``bc1q`` plus 4 data symbols, and the whole
  6-symbol checksum, which is solved for because Bech32 checksums are linear over GF(2).
- ``eip55`` (ethereum, bsc): ``0x`` plus 6 hex digits and the last 6 hex digits,
  letter case included, found by drawing middles until the EIP-55 case pattern agrees.
- ``base58`` (solana): 6 and 6, because a public key has no checksum.
- ``base58check`` (bitcoin ``1...``/``3...``, tron, xrp): 6 and 3. The last symbols
  depend on a SHA-256 checksum, so each extra suffix symbol multiplies the search
  by 58. Three symbols take about 195,000 hashes.
"""

_BITCOIN_FORMAT_WEIGHTS = {"p2wpkh": 0.6, "p2pkh": 0.25, "p2sh": 0.15}
# NOTE: the share of each bitcoin address type is illustrative, not measured.

_BITCOIN_HRP = "bc"
_P2PKH_VERSION = 0x00
_P2SH_VERSION = 0x05
_TRON_VERSION = 0x41
_XRP_VERSION = 0x00
_HASH160_LENGTH = 20
_SOLANA_KEY_LENGTH = 32
_SOLANA_SIGNATURE_LENGTH = 64

_EVM_CHAINS = frozenset({"ethereum", "bsc"})
_BASE58CHECK_SEARCH_FACTOR = 20
_EVM_SEARCH_FACTOR = 40
_MAX_TEMPLATE_ATTEMPTS = 1000
_BECH32_FREE_SYMBOLS = 8


def _check_chain(chain: str) -> None:
    if chain not in CHAINS:
        raise ValueError(f"unknown chain `{chain}`; expected one of {', '.join(CHAINS)}")


def _check_count(n: int) -> None:
    if n < 0:
        raise ValueError(f"invalid count {n}; expected 0 or more")


def chains_for_asset(asset: str) -> tuple[str, ...]:
    """Return the chains ``asset`` is generated on, in table order.

    Raises
    ------
    ValueError
        If ``asset`` is not in ``ASSETS``.
    """
    chains = tuple(pair.chain for pair in ASSET_NETWORKS if pair.asset == asset)
    if not chains:
        raise ValueError(f"unknown asset `{asset}`; expected one of {', '.join(ASSETS)}")
    return chains


# --- address encoders -----------------------------------------------------------------


def to_checksum_address(hex_address: str) -> str:
    """Apply EIP-55 mixed-case checksumming to a ``0x``-prefixed 40-digit hex address."""
    body = hex_address.lower().removeprefix("0x")
    digest = keccak256(body.encode("ascii")).hex()
    letters = [
        char.upper() if char.isalpha() and int(digest[i], 16) >= 8 else char
        for i, char in enumerate(body)
    ]
    return "0x" + "".join(letters)


def _checksum_addresses(raw: bytes, n: int) -> list[str]:
    """Apply EIP-55 to `n` 20-byte bodies at once; equal to `to_checksum_address` per body."""
    body = np.frombuffer(raw, dtype=np.uint8).reshape(n, 20)
    hex_digits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    text = np.stack([hex_digits[body >> 4], hex_digits[body & 15]], axis=2).reshape(n, 40)
    digest = keccak256_many(text)
    nibbles = np.stack([digest >> 4, digest & 15], axis=2).reshape(n, 64)[:, :40]
    upper = (text >= ord("a")) & (nibbles >= 8)
    text = np.where(upper, text - 32, text).astype(np.uint8)
    return ["0x" + row.decode("ascii") for row in text.view("S40").ravel().tolist()]


def _p2wpkh(program: bytes) -> str:
    return segwit_v0_address(_BITCOIN_HRP, program)


def _base58check(version: int, body: bytes, alphabet: str = BITCOIN_ALPHABET) -> str:
    return b58check_encode(bytes([version]) + body, alphabet)


def _random_bytes(rng: np.random.Generator, count: int, length: int) -> list[bytes]:
    raw = rng.bytes(count * length)
    return [raw[i * length : (i + 1) * length] for i in range(count)]


def make_addresses(chain: str, n: int, rng: np.random.Generator) -> list[str]:
    """Generate ``n`` random addresses that are valid on ``chain``.

    Parameters
    ----------
    chain
        One of ``CHAINS``.
    n
        Number of addresses.
    rng
        Source of all randomness, so the same generator state gives the same addresses.

    Returns
    -------
    list of str
        Bitcoin mixes Bech32 P2WPKH, P2PKH and P2SH. Ethereum and bsc addresses
        are EIP-55 checksummed hex. Tron uses Base58Check with version 0x41, solana
        the Base58 of a 32-byte key, and xrp Base58Check in the Ripple alphabet.

    Raises
    ------
    ValueError
        If ``chain`` is unknown or ``n`` is negative.
    """
    _check_chain(chain)
    _check_count(n)

    if chain == "bitcoin":
        formats = rng.choice(
            list(_BITCOIN_FORMAT_WEIGHTS), size=n, p=list(_BITCOIN_FORMAT_WEIGHTS.values())
        )
        bodies = _byte_rows(rng, n, _HASH160_LENGTH)
        addresses = np.empty(n, dtype=object)
        wpkh = formats == "p2wpkh"
        addresses[wpkh] = segwit_v0_addresses(_BITCOIN_HRP, bodies[wpkh])
        for address_format, version in (("p2pkh", _P2PKH_VERSION), ("p2sh", _P2SH_VERSION)):
            rows = formats == address_format
            addresses[rows] = _base58check_many(version, bodies[rows])
        return addresses.tolist()
    if chain in _EVM_CHAINS:
        return _checksum_addresses(rng.bytes(n * 20), n)
    if chain == "tron":
        return _base58check_many(_TRON_VERSION, _byte_rows(rng, n, 20))
    if chain == "solana":
        return b58encode_many(_byte_rows(rng, n, _SOLANA_KEY_LENGTH))
    return _base58check_many(_XRP_VERSION, _byte_rows(rng, n, 20), RIPPLE_ALPHABET)


def _byte_rows(rng: np.random.Generator, count: int, length: int) -> np.ndarray:
    """Draw `count` random byte strings of `length` as the rows of a uint8 array."""
    return np.frombuffer(rng.bytes(count * length), dtype=np.uint8).reshape(count, length)


def _base58check_many(
    version: int, bodies: np.ndarray, alphabet: str = BITCOIN_ALPHABET
) -> list[str]:
    versions = np.full((len(bodies), 1), version, dtype=np.uint8)
    return b58check_encode_many(np.concatenate([versions, bodies], axis=1), alphabet)


def make_tx_hashes(chain: str, n: int, rng: np.random.Generator) -> list[str]:
    """Generate ``n`` random transaction identifiers in ``chain``'s display format.

    Bitcoin and tron use 64 lowercase hex digits, ethereum and bsc the same with
    ``0x``, solana the Base58 of a 64-byte signature, and xrp 64 uppercase hex digits.

    Raises
    ------
    ValueError
        If ``chain`` is unknown or ``n`` is negative.
    """
    _check_chain(chain)
    _check_count(n)

    if chain == "solana":
        return [b58encode(body) for body in _random_bytes(rng, n, _SOLANA_SIGNATURE_LENGTH)]
    digests = [body.hex() for body in _random_bytes(rng, n, 32)]
    if chain in _EVM_CHAINS:
        return ["0x" + digest for digest in digests]
    if chain == "xrp":
        return [digest.upper() for digest in digests]
    return digests


# --- validation -----------------------------------------------------------------------


def _decode_p2wpkh(address: str) -> list[int] | None:
    """Return the data symbols (witness version first, checksum excluded) or None if invalid."""
    prefix = _BITCOIN_HRP + "1"
    if not address.startswith(prefix) or address != address.lower():
        return None
    symbols = [BECH32_CHARSET.find(char) for char in address[len(prefix) :]]
    if len(symbols) != 39 or min(symbols) < 0:
        return None
    if bech32_polymod(bech32_hrp_expand(_BITCOIN_HRP) + symbols) != 1:
        return None
    data = symbols[:-6]
    if data[0] != 0:
        return None
    return data


def _base58check_payload(address: str, alphabet: str = BITCOIN_ALPHABET) -> bytes | None:
    try:
        payload = b58check_decode(address, alphabet)
    except ValueError:
        return None
    if len(payload) != 1 + _HASH160_LENGTH:
        return None
    return payload


def address_format(address: str, chain: str) -> str:
    """Name the encoding of ``address`` on ``chain``: a key of ``LOOKALIKE_MATCH``.

    Raises
    ------
    ValueError
        If ``chain`` is unknown or ``address`` is not valid on it.
    """
    if not is_valid_address(address, chain):
        raise ValueError(f"invalid {chain} address `{address}`")
    if chain == "bitcoin":
        return "bech32" if address.startswith(_BITCOIN_HRP + "1") else "base58check"
    if chain in _EVM_CHAINS:
        return "eip55"
    if chain == "solana":
        return "base58"
    return "base58check"


def is_valid_address(address: str, chain: str) -> bool:
    """Check that ``address`` decodes with a correct checksum and version for ``chain``.

    Bitcoin accepts P2WPKH, P2PKH and P2SH. Ethereum and bsc accept all-lowercase,
    all-uppercase or correctly EIP-55 checksummed hex.

    Raises
    ------
    ValueError
        If ``chain`` is unknown.
    """
    _check_chain(chain)

    if chain == "bitcoin":
        if address.startswith(_BITCOIN_HRP + "1"):
            return _decode_p2wpkh(address) is not None
        payload = _base58check_payload(address)
        return payload is not None and payload[0] in (_P2PKH_VERSION, _P2SH_VERSION)
    if chain in _EVM_CHAINS:
        body = address.removeprefix("0x")
        if len(address) != 42 or len(body) != 40:
            return False
        try:
            int(body, 16)
        except ValueError:
            return False
        if body in (body.lower(), body.upper()):
            return True
        return to_checksum_address(address) == address
    if chain == "tron":
        payload = _base58check_payload(address)
        return payload is not None and payload[0] == _TRON_VERSION
    if chain == "solana":
        try:
            key = b58decode(address)
        except ValueError:
            return False
        return len(key) == _SOLANA_KEY_LENGTH and b58encode(key) == address
    payload = _base58check_payload(address, RIPPLE_ALPHABET)
    return payload is not None and payload[0] == _XRP_VERSION


# --- look-alikes ----------------------------------------------------------------------


def make_lookalike(address: str, chain: str, rng: np.random.Generator) -> str:
    """Generate a different valid address that shares the visible ends of ``address``.

    Address poisoning relies on wallets showing only the first and last few
    characters. The look-alike shares ``LOOKALIKE_MATCH[address_format(address, chain)]``
    characters at the start and the end, and every search is bounded.

    Parameters
    ----------
    address
        A valid address on ``chain``. An all-lowercase EVM address is first checksummed.
    chain
        One of ``CHAINS``.
    rng
        Source of all randomness.

    Returns
    -------
    str
        The look-alike, in the same format (same bitcoin type, same version byte).

    Raises
    ------
    ValueError
        If ``chain`` is unknown or ``address`` is not valid on it.
    RuntimeError
        If a bounded search finds no match. The bounds make this about a
        one-in-a-billion event.
    """
    encoding = address_format(address, chain)
    prefix_length, suffix_length = LOOKALIKE_MATCH[encoding]

    if encoding == "bech32":
        return _bech32_lookalike(address, prefix_length, rng)
    if encoding == "eip55":
        return _eip55_lookalike(to_checksum_address(address), prefix_length, suffix_length, rng)
    if encoding == "base58":
        return _base58_lookalike(address, prefix_length, suffix_length, rng)
    alphabet = RIPPLE_ALPHABET if chain == "xrp" else BITCOIN_ALPHABET
    return _base58check_lookalike(address, alphabet, prefix_length, suffix_length, rng)


def _random_symbols(rng: np.random.Generator, alphabet: str, count: int) -> str:
    indices = rng.integers(0, len(alphabet), size=count)
    return "".join(alphabet[i] for i in indices)


def _eip55_lookalike(
    address: str, prefix_length: int, suffix_length: int, rng: np.random.Generator
) -> str:
    body = address[2:].lower()
    head = body[: prefix_length - 2]
    tail = body[-suffix_length:]
    middle_length = 40 - len(head) - len(tail)

    # Only the case of the matched letters is left to chance: each letter agrees
    # with probability 1/2, so the expected number of draws is 2 ** letters.
    matched = address[:prefix_length] + address[-suffix_length:]
    letters = sum(char.isalpha() for char in matched[2:])
    max_attempts = _EVM_SEARCH_FACTOR * 2**letters

    for _ in range(max_attempts):
        middle = rng.bytes((middle_length + 1) // 2).hex()[:middle_length]
        candidate = to_checksum_address(head + middle + tail)
        if (
            candidate != address
            and candidate.startswith(address[:prefix_length])
            and candidate.endswith(address[-suffix_length:])
        ):
            return candidate
    raise RuntimeError(f"no EIP-55 look-alike of `{address}` in {max_attempts} attempts")


def _base58_lookalike(
    address: str, prefix_length: int, suffix_length: int, rng: np.random.Generator
) -> str:
    middle_length = len(address) - prefix_length - suffix_length
    for _ in range(_MAX_TEMPLATE_ATTEMPTS):
        middle = _random_symbols(rng, BITCOIN_ALPHABET, middle_length)
        candidate = address[:prefix_length] + middle + address[-suffix_length:]
        key = b58decode(candidate)
        # A middle can push the number past 32 bytes or below 31, and those are not keys.
        if candidate != address and len(key) == _SOLANA_KEY_LENGTH and b58encode(key) == candidate:
            return candidate
    raise RuntimeError(f"no Base58 look-alike of `{address}` in {_MAX_TEMPLATE_ATTEMPTS} attempts")


def _base58check_lookalike(
    address: str,
    alphabet: str,
    prefix_length: int,
    suffix_length: int,
    rng: np.random.Generator,
) -> str:
    original_payload = b58check_decode(address, alphabet)
    payload_length = len(original_payload)
    version = original_payload[0]
    modulus = 58**suffix_length
    target = _base58_number(address, alphabet) % modulus

    # Fix the prefix: decode the original's first symbols followed by random ones,
    # and keep the payload bytes above the checksum.
    high_part = b""
    for _ in range(_MAX_TEMPLATE_ATTEMPTS):
        template = address[:prefix_length] + _random_symbols(
            rng, alphabet, len(address) - prefix_length
        )
        number = _base58_number(template, alphabet) >> 32
        if number.bit_length() > 8 * payload_length:
            continue
        payload = number.to_bytes(payload_length, "big")
        if payload[0] == version:
            high_part = payload[:-4]
            break
    if not high_part:
        raise RuntimeError(f"no payload keeps the prefix of `{address}`")

    # Fix the suffix: the last symbols are the number modulo 58**k, and the number
    # ends in the SHA-256 checksum, so only a search over the payload's last
    # 4 bytes can set them. Changing those bytes moves the number by less than
    # 2**64, which leaves the prefix in place.
    max_attempts = _BASE58CHECK_SEARCH_FACTOR * modulus
    batch = 65536
    attempts = 0
    while attempts < max_attempts:
        raw = rng.bytes(4 * batch)
        for i in range(0, 4 * batch, 4):
            payload = high_part + raw[i : i + 4]
            number = int.from_bytes(payload + double_sha256_checksum(payload), "big")
            if number % modulus == target and payload != original_payload:
                candidate = b58check_encode(payload, alphabet)
                if candidate.startswith(address[:prefix_length]) and candidate.endswith(
                    address[-suffix_length:]
                ):
                    return candidate
        attempts += batch
    raise RuntimeError(f"no Base58Check look-alike of `{address}` in {attempts} attempts")


def _base58_number(text: str, alphabet: str) -> int:
    number = 0
    for symbol in text:
        number = number * 58 + alphabet.index(symbol)
    return number


@cache
def _bech32_correction_basis() -> tuple[tuple[int, int], ...]:
    """Build a GF(2) echelon basis mapping flips of the last data bits to checksum changes.

    Each entry is (checksum difference, bit mask of flipped data bits). The Bech32
    checksum is affine over GF(2) in the data bits, so flipping a set of bits XORs
    the checksum with the XOR of their single-bit differences.
    """
    data_length = 1 + 32  # witness version + 160 program bits in 5-bit symbols
    zero = [0] * data_length
    base = _bech32_checksum_value(zero)
    basis: list[tuple[int, int]] = []
    free_bits = 5 * _BECH32_FREE_SYMBOLS
    for bit in range(free_bits):
        data = list(zero)
        position = data_length - _BECH32_FREE_SYMBOLS + bit // 5
        data[position] ^= 1 << (bit % 5)
        vector, mask = _bech32_checksum_value(data) ^ base, 1 << bit
        for pivot_vector, pivot_mask in basis:
            if vector ^ pivot_vector < vector:
                vector ^= pivot_vector
                mask ^= pivot_mask
        if vector:
            basis.append((vector, mask))
            basis.sort(reverse=True)
    return tuple(basis)


def _bech32_checksum_value(data: list[int]) -> int:
    value = 0
    for symbol in bech32_checksum(_BITCOIN_HRP, data):
        value = (value << 5) | symbol
    return value


def _bech32_lookalike(address: str, prefix_length: int, rng: np.random.Generator) -> str:
    original = _decode_p2wpkh(address)
    assert original is not None  # address_format has validated it
    kept_symbols = prefix_length - len(_BITCOIN_HRP + "1")
    target = _bech32_checksum_value(original)
    basis = _bech32_correction_basis()

    for _ in range(_MAX_TEMPLATE_ATTEMPTS):
        random_symbols = rng.integers(0, 32, size=len(original) - kept_symbols)
        data = original[:kept_symbols] + [int(value) for value in random_symbols]

        # Solve for the bit flips in the last symbols that turn this checksum into
        # the original's, by reducing the difference against the echelon basis.
        difference = _bech32_checksum_value(data) ^ target
        flips = 0
        for pivot_vector, pivot_mask in basis:
            if difference ^ pivot_vector < difference:
                difference ^= pivot_vector
                flips ^= pivot_mask
        if difference:
            raise RuntimeError("Bech32 correction basis does not span the checksum")
        for bit in range(5 * _BECH32_FREE_SYMBOLS):
            if (flips >> bit) & 1:
                data[len(data) - _BECH32_FREE_SYMBOLS + bit // 5] ^= 1 << (bit % 5)

        program = bytes(convert_bits(bytes(data[1:]), 5, 8)[:_HASH160_LENGTH])
        candidate = _p2wpkh(program)
        if candidate != address:
            return candidate
    raise RuntimeError(f"no Bech32 look-alike of `{address}` in {_MAX_TEMPLATE_ATTEMPTS} attempts")
