"""Keccak-256 as Ethereum uses it (original Keccak padding, not FIPS 202 SHA3-256)."""

from __future__ import annotations

import numpy as np

_MASK64 = (1 << 64) - 1
_ROUNDS = 24
_RATE_BYTES = 136  # 1600-bit state minus a 512-bit capacity, for a 256-bit digest


def _rotate_left(value: int, shift: int) -> int:
    return ((value << shift) | (value >> (64 - shift))) & _MASK64


def _round_constants() -> tuple[int, ...]:
    # The iota constants come from the LFSR with polynomial x^8 + x^6 + x^5 + x^4 + 1.
    # Bit 2^j - 1 of the constant of round i is the LFSR output number 7i + j.
    register = 1
    bits = []
    for _ in range(7 * _ROUNDS):
        bits.append(register & 1)
        register <<= 1
        if register & 0x100:
            register ^= 0x171
    constants = []
    for round_index in range(_ROUNDS):
        constant = 0
        for j in range(7):
            if bits[7 * round_index + j]:
                constant |= 1 << ((1 << j) - 1)
        constants.append(constant)
    return tuple(constants)


def _rotation_offsets() -> tuple[int, ...]:
    # The rho offsets walk the lanes along (x, y) -> (y, 2x + 3y) starting at (1, 0),
    # and the t-th lane visited rotates by (t + 1)(t + 2) / 2 mod 64.
    offsets = [0] * 25
    x, y = 1, 0
    for t in range(24):
        offsets[x + 5 * y] = ((t + 1) * (t + 2) // 2) % 64
        x, y = y, (2 * x + 3 * y) % 5
    return tuple(offsets)


_ROUND_CONSTANTS = _round_constants()
_ROTATION_OFFSETS = _rotation_offsets()


def _keccak_f1600(lanes: list[int]) -> None:
    """Apply the 24-round Keccak-f[1600] permutation in place to 25 lanes indexed x + 5y."""
    for round_constant in _ROUND_CONSTANTS:
        # theta
        column_parity = [
            lanes[x] ^ lanes[x + 5] ^ lanes[x + 10] ^ lanes[x + 15] ^ lanes[x + 20]
            for x in range(5)
        ]
        for x in range(5):
            delta = column_parity[(x - 1) % 5] ^ _rotate_left(column_parity[(x + 1) % 5], 1)
            for y in range(0, 25, 5):
                lanes[x + y] ^= delta

        # rho and pi: lane (x, y) moves to (y, 2x + 3y) after its rotation
        moved = [0] * 25
        for x in range(5):
            for y in range(5):
                index = x + 5 * y
                offset = _ROTATION_OFFSETS[index]
                value = lanes[index]
                if offset:
                    value = _rotate_left(value, offset)
                moved[y + 5 * ((2 * x + 3 * y) % 5)] = value

        # chi
        for y in range(0, 25, 5):
            row = moved[y : y + 5]
            for x in range(5):
                lanes[x + y] = row[x] ^ ((~row[(x + 1) % 5]) & row[(x + 2) % 5])

        # iota
        lanes[0] ^= round_constant


def keccak256(data: bytes) -> bytes:
    """Hash ``data`` with Keccak-256.

    Parameters
    ----------
    data
        Message bytes of any length.

    Returns
    -------
    bytes
        The 32-byte digest, equal to ``eth_hash``'s ``keccak``.
    """
    # Keccak pads with 0x01 ... 0x80, but FIPS 202 SHA3 uses 0x06, which is why
    # hashlib.sha3_256 gives different digests.
    padded = bytearray(data)
    padded.append(0x01)
    padded.extend(b"\x00" * (-len(padded) % _RATE_BYTES))
    padded[-1] |= 0x80

    lanes = [0] * 25
    for block_start in range(0, len(padded), _RATE_BYTES):
        block = padded[block_start : block_start + _RATE_BYTES]
        for i in range(_RATE_BYTES // 8):
            lanes[i] ^= int.from_bytes(block[8 * i : 8 * i + 8], "little")
        _keccak_f1600(lanes)

    return b"".join(lane.to_bytes(8, "little") for lane in lanes[:4])


def keccak256_many(messages: np.ndarray) -> np.ndarray:
    """Hash many equal-length messages with Keccak-256 at once.

    Parameters
    ----------
    messages
        A uint8 array of shape (n, length) with length below 136 bytes, so each message
        fits in one block.

    Returns
    -------
    numpy.ndarray
        A uint8 array of shape (n, 32): the digests, equal to `keccak256` row by row.
    """
    n, length = messages.shape
    if length >= _RATE_BYTES:
        raise ValueError(f"invalid message length {length}; expected fewer than {_RATE_BYTES}")
    block = np.zeros((n, 200), dtype=np.uint8)
    block[:, :length] = messages
    block[:, length] ^= 0x01
    block[:, _RATE_BYTES - 1] ^= 0x80
    lanes = [np.ascontiguousarray(column) for column in block.view("<u8").T]
    for round_constant in _ROUND_CONSTANTS:
        parity = [
            lanes[x] ^ lanes[x + 5] ^ lanes[x + 10] ^ lanes[x + 15] ^ lanes[x + 20]
            for x in range(5)
        ]
        for x in range(5):
            delta = parity[(x - 1) % 5] ^ _rotate_lanes(parity[(x + 1) % 5], 1)
            for y in range(0, 25, 5):
                lanes[x + y] = lanes[x + y] ^ delta
        moved: list[np.ndarray] = [lanes[0]] * 25
        for x in range(5):
            for y in range(5):
                index = x + 5 * y
                moved[y + 5 * ((2 * x + 3 * y) % 5)] = _rotate_lanes(
                    lanes[index], _ROTATION_OFFSETS[index]
                )
        for y in range(0, 25, 5):
            row = moved[y : y + 5]
            for x in range(5):
                lanes[x + y] = row[x] ^ (~row[(x + 1) % 5] & row[(x + 2) % 5])
        lanes[0] = lanes[0] ^ np.uint64(round_constant)
    return np.stack(lanes[:4], axis=1).astype("<u8").view(np.uint8).reshape(n, 32)


def _rotate_lanes(values: np.ndarray, shift: int) -> np.ndarray:
    if shift == 0:
        return values
    return (values << np.uint64(shift)) | (values >> np.uint64(64 - shift))
