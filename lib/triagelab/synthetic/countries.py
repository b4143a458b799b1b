"""Country profiles for the six markets (interim table until the sourced data file lands)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CountryProfile:
    """Facts about one market that the generator needs."""

    code: str
    currency: str
    usd_rate: float
    locale: str
    timezones: tuple[tuple[str, float], ...]
    reporting_threshold: float
    rails: tuple[str, ...]


_PROFILES = (
    CountryProfile("SG", "SGD", 1.34, "en_US", (("Asia/Singapore", 1.0),), 20_000, ("FAST", "PayNow")),
    CountryProfile("MY", "MYR", 4.45, "en_US", (("Asia/Kuala_Lumpur", 1.0),), 25_000, ("FPX", "bank_transfer")),
    CountryProfile("TH", "THB", 35.0, "th_TH", (("Asia/Bangkok", 1.0),), 2_000_000, ("QR", "bank_transfer")),
    CountryProfile("VN", "VND", 25_400.0, "vi_VN", (("Asia/Ho_Chi_Minh", 1.0),), 400_000_000, ("VietQR", "Napas247")),
    CountryProfile("ID", "IDR", 16_200.0, "id_ID", (("Asia/Jakarta", 0.8), ("Asia/Makassar", 0.15), ("Asia/Jayapura", 0.05)), 500_000_000, ("virtual_account", "QRIS")),
    CountryProfile("PH", "PHP", 58.0, "en_PH", (("Asia/Manila", 1.0),), 500_000, ("InstaPay", "PESONet")),
)

COUNTRY_CODES: tuple[str, ...] = tuple(p.code for p in _PROFILES)


def load_countries() -> dict[str, CountryProfile]:
    """Return the country profiles by ISO code."""
    return {p.code: p for p in _PROFILES}
