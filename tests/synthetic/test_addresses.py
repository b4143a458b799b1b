"""Tests for addresses, transaction hashes and look-alikes, checked by reference validators."""

import re

import base58
import bech32
import numpy as np
import pytest
from eth_utils import is_checksum_address

from triagelab.synthetic.addresses import (
    ASSET_NETWORKS,
    ASSETS,
    CHAINS,
    LOOKALIKE_MATCH,
    address_format,
    chains_for_asset,
    is_valid_address,
    make_addresses,
    make_lookalike,
    make_tx_hashes,
)

ADDRESSES_PER_CHAIN = 300


def reference_valid(address: str, chain: str) -> bool:
    """Validate with the PyPI reference packages, independently of triagelab's encoders."""
    if chain == "bitcoin":
        if address.startswith("bc1"):
            version, program = bech32.decode("bc", address)
            return version == 0 and program is not None and len(program) == 20
        payload = base58.b58decode_check(address)
        return len(payload) == 21 and payload[0] in (0x00, 0x05)
    if chain in ("ethereum", "bsc"):
        return bool(is_checksum_address(address))
    if chain == "tron":
        payload = base58.b58decode_check(address)
        return len(payload) == 21 and payload[0] == 0x41
    if chain == "solana":
        return len(base58.b58decode(address)) == 32
    if chain == "xrp":
        payload = base58.b58decode_check(address, alphabet=base58.XRP_ALPHABET)
        return len(payload) == 21 and payload[0] == 0x00
    raise AssertionError(f"no reference validator for {chain}")


@pytest.mark.parametrize("chain", CHAINS)
def test_addresses_pass_reference_validator(chain: str) -> None:
    addresses = make_addresses(chain, ADDRESSES_PER_CHAIN, np.random.default_rng(7))
    assert len(addresses) == ADDRESSES_PER_CHAIN
    for address in addresses:
        assert reference_valid(address, chain), address


@pytest.mark.parametrize("chain", CHAINS)
def test_addresses_pass_own_validator(chain: str) -> None:
    for address in make_addresses(chain, 100, np.random.default_rng(8)):
        assert is_valid_address(address, chain), address


@pytest.mark.parametrize("chain", CHAINS)
def test_addresses_are_unique(chain: str) -> None:
    addresses = make_addresses(chain, ADDRESSES_PER_CHAIN, np.random.default_rng(9))
    assert len(set(addresses)) == ADDRESSES_PER_CHAIN


@pytest.mark.parametrize("chain", CHAINS)
def test_addresses_deterministic_for_seed(chain: str) -> None:
    first = make_addresses(chain, 20, np.random.default_rng(123))
    second = make_addresses(chain, 20, np.random.default_rng(123))
    other = make_addresses(chain, 20, np.random.default_rng(124))
    assert first == second
    assert first != other


def test_bitcoin_mixes_address_types() -> None:
    addresses = make_addresses("bitcoin", ADDRESSES_PER_CHAIN, np.random.default_rng(10))
    leading = {address[:3] if address.startswith("bc1q") else address[0] for address in addresses}
    assert leading == {"bc1", "1", "3"}


@pytest.mark.parametrize(
    ("chain", "first_character"), [("tron", "T"), ("xrp", "r"), ("ethereum", "0"), ("bsc", "0")]
)
def test_address_first_character(chain: str, first_character: str) -> None:
    for address in make_addresses(chain, 50, np.random.default_rng(11)):
        assert address.startswith(first_character), address


def test_make_addresses_zero_count() -> None:
    assert make_addresses("tron", 0, np.random.default_rng(0)) == []


def test_make_addresses_rejects_unknown_chain() -> None:
    with pytest.raises(ValueError, match="unknown chain `dogecoin`"):
        make_addresses("dogecoin", 1, np.random.default_rng(0))


def test_make_addresses_rejects_negative_count() -> None:
    with pytest.raises(ValueError, match="invalid count -1"):
        make_addresses("bitcoin", -1, np.random.default_rng(0))


TX_HASH_PATTERNS = {
    "bitcoin": r"[0-9a-f]{64}",
    "tron": r"[0-9a-f]{64}",
    "ethereum": r"0x[0-9a-f]{64}",
    "bsc": r"0x[0-9a-f]{64}",
    "xrp": r"[0-9A-F]{64}",
}


@pytest.mark.parametrize("chain", sorted(TX_HASH_PATTERNS))
def test_tx_hash_format(chain: str) -> None:
    hashes = make_tx_hashes(chain, 200, np.random.default_rng(12))
    assert len(set(hashes)) == 200
    for tx_hash in hashes:
        assert re.fullmatch(TX_HASH_PATTERNS[chain], tx_hash), tx_hash


def test_solana_tx_hash_is_64_byte_signature() -> None:
    for signature in make_tx_hashes("solana", 200, np.random.default_rng(13)):
        assert len(base58.b58decode(signature)) == 64
        assert base58.b58encode(base58.b58decode(signature)).decode() == signature


def test_tx_hashes_deterministic_for_seed() -> None:
    first = make_tx_hashes("ethereum", 10, np.random.default_rng(5))
    second = make_tx_hashes("ethereum", 10, np.random.default_rng(5))
    assert first == second


LOOKALIKES_PER_CHAIN = {
    "bitcoin": 12,
    "ethereum": 20,
    "bsc": 10,
    "solana": 20,
    # Base58Check look-alikes search about 195,000 checksums each.
    "tron": 6,
    "xrp": 6,
}


@pytest.mark.parametrize("chain", CHAINS)
def test_lookalike_valid_and_shares_ends(chain: str) -> None:
    rng = np.random.default_rng(14)
    originals = make_addresses(chain, LOOKALIKES_PER_CHAIN[chain], rng)
    for original in originals:
        lookalike = make_lookalike(original, chain, rng)
        prefix_length, suffix_length = LOOKALIKE_MATCH[address_format(original, chain)]

        assert lookalike != original
        assert reference_valid(lookalike, chain), lookalike
        assert address_format(lookalike, chain) == address_format(original, chain)
        assert lookalike[:prefix_length] == original[:prefix_length], (original, lookalike)
        assert lookalike[-suffix_length:] == original[-suffix_length:], (original, lookalike)


def test_lookalike_keeps_bitcoin_address_type() -> None:
    rng = np.random.default_rng(15)
    for original in make_addresses("bitcoin", 12, rng):
        lookalike = make_lookalike(original, "bitcoin", rng)
        assert lookalike[0] == original[0]
        assert len(lookalike) == len(original)


def test_lookalike_match_lengths_within_range() -> None:
    for prefix_length, suffix_length in LOOKALIKE_MATCH.values():
        assert 4 <= prefix_length <= 10
        assert 3 <= suffix_length <= 6


def test_lookalike_of_lowercase_evm_address_is_checksummed() -> None:
    rng = np.random.default_rng(16)
    original = make_addresses("ethereum", 1, rng)[0]
    lookalike = make_lookalike(original.lower(), "ethereum", rng)
    assert is_checksum_address(lookalike)
    assert lookalike[-6:] == original[-6:]


def test_lookalike_deterministic_for_seed() -> None:
    original = make_addresses("solana", 1, np.random.default_rng(17))[0]
    first = make_lookalike(original, "solana", np.random.default_rng(1))
    second = make_lookalike(original, "solana", np.random.default_rng(1))
    assert first == second


def test_lookalike_rejects_invalid_address() -> None:
    original = make_addresses("tron", 1, np.random.default_rng(18))[0]
    corrupted = original[:-1] + ("a" if original[-1] != "a" else "b")
    with pytest.raises(ValueError, match="invalid tron address"):
        make_lookalike(corrupted, "tron", np.random.default_rng(0))


def test_lookalike_rejects_address_of_other_chain() -> None:
    original = make_addresses("tron", 1, np.random.default_rng(19))[0]
    with pytest.raises(ValueError, match="invalid xrp address"):
        make_lookalike(original, "xrp", np.random.default_rng(0))


# Solana keys carry no checksum, so a changed symbol still decodes to a valid key.
@pytest.mark.parametrize("chain", [chain for chain in CHAINS if chain != "solana"])
def test_validator_rejects_corrupted_address(chain: str) -> None:
    for address in make_addresses(chain, 30, np.random.default_rng(20)):
        middle = len(address) // 2
        replacement = "2" if address[middle] != "2" else "3"
        corrupted = address[:middle] + replacement + address[middle + 1 :]
        assert not is_valid_address(corrupted, chain), corrupted


def test_asset_networks_use_known_chains() -> None:
    assert {pair.chain for pair in ASSET_NETWORKS} == set(CHAINS)
    assert set(ASSETS) == {"BTC", "ETH", "USDT", "USDC", "SOL", "XRP", "BNB"}


@pytest.mark.parametrize(
    ("asset", "chains"),
    [
        ("BTC", ("bitcoin",)),
        ("USDT", ("tron", "ethereum")),
        ("USDC", ("ethereum", "solana")),
        ("BNB", ("bsc",)),
    ],
)
def test_chains_for_asset(asset: str, chains: tuple[str, ...]) -> None:
    assert chains_for_asset(asset) == chains


def test_chains_for_unknown_asset() -> None:
    with pytest.raises(ValueError, match="unknown asset `DOGE`"):
        chains_for_asset("DOGE")
