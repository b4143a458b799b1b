"""Shared vocabularies: behavioural flags, triage actions and priorities."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Flag:
    """A behavioural red flag a trainee can observe in a customer's timeline.

    Attributes
    ----------
    name
        Identifier used in submissions, keys and alert rules.
    title
        Short label shown in the trainee app.
    definition
        Plain-language definition a new agent can learn.
    window
        Time window the flag looks at, in words (for example "30 minutes").
    threshold
        Condition that makes the flag true inside the window.
    fatf_category
        FATF (2020) virtual-asset red-flag category the flag belongs to.
    """

    name: str
    title: str
    definition: str
    window: str
    threshold: str
    fatf_category: str

    def to_dict(self) -> dict[str, Any]:
        """Return the flag as a plain dictionary, for JSON output."""
        return asdict(self)


# Chain-analytics labels of counterparty addresses that make a transfer high-risk: the
# `high_risk_counterparty` flag, the default alert rule and the stories use this list.
HIGH_RISK_LABELS: tuple[str, ...] = ("mixer", "scam", "darknet_market", "sanctioned")
# Every value of the transactions column `counterparty_label`: the customer's own saved
# address, or a high-risk label.
COUNTERPARTY_LABELS: tuple[str, ...] = ("whitelisted", *HIGH_RISK_LABELS)

# The six categories of FATF, "Virtual Assets Red Flag Indicators of Money Laundering
# and Terrorist Financing" (September 2020).
FATF_CATEGORIES = (
    "size_and_frequency",
    "transaction_patterns",
    "anonymity",
    "senders_and_recipients",
    "source_of_funds",
    "geography",
)

FLAGS: tuple[Flag, ...] = (
    Flag(
        "failed_tx_burst",
        "Failed transaction burst",
        "Several transactions fail in quick succession, as when someone probes limits, "
        "guesses a PIN or retries a blocked withdrawal.",
        "30 minutes",
        "3 or more failed transactions",
        "transaction_patterns",
    ),
    Flag(
        "failed_login_burst",
        "Failed login burst",
        "Many failed logins in a short time, often from several IP addresses, as when a "
        "list of leaked passwords is tried against the account.",
        "1 hour",
        "5 or more failed logins",
        "senders_and_recipients",
    ),
    Flag(
        "unusual_hour_login",
        "Login at an unusual hour",
        "A login at a local hour when this customer is normally never active.",
        "the customer's previous 14 days",
        "login hour (home time zone) outside every hour the customer logged in before",
        "senders_and_recipients",
    ),
    Flag(
        "new_device",
        "New device",
        "A login from a device this customer has not used before.",
        "the customer's previous 30 days",
        "device id not seen before",
        "senders_and_recipients",
    ),
    Flag(
        "new_country_or_impossible_travel",
        "New country or impossible travel",
        "A login from a country the customer has not logged in from, or two logins too far "
        "apart to travel between in the time between them.",
        "the customer's previous 30 days",
        "IP country not seen before, or two countries within 2 hours",
        "geography",
    ),
    Flag(
        "credential_change",
        "Credential change",
        "The password, two-factor method, e-mail address or phone number was changed.",
        "the case window",
        "1 or more credential-change events",
        "senders_and_recipients",
    ),
    Flag(
        "withdrawal_after_credential_change",
        "Withdrawal soon after a credential change",
        "Funds leave the account shortly after a credential was changed, the classic "
        "account-takeover sequence.",
        "24 hours after the change",
        "1 or more crypto or fiat withdrawals",
        "senders_and_recipients",
    ),
    Flag(
        "large_withdrawal_new_address",
        "Large withdrawal to a new address",
        "A withdrawal far above the customer's usual size, to an address never used before.",
        "the customer's previous 30 days",
        "USD amount at least 5 times the customer's median withdrawal, to a first-time address",
        "size_and_frequency",
    ),
    Flag(
        "deposit_then_immediate_withdrawal",
        "Deposit then immediate withdrawal",
        "Money is deposited and most of it leaves again almost at once, so the account only "
        "passes funds through.",
        "2 hours",
        "withdrawals of at least 80% of a deposit's USD value",
        "size_and_frequency",
    ),
    Flag(
        "structuring_below_threshold",
        "Repeated amounts just below a reporting threshold",
        "Several deposits just under the country's reporting threshold, as if split on "
        "purpose to avoid a report.",
        "7 days",
        "3 or more deposits between 80% and 100% of the threshold",
        "size_and_frequency",
    ),
    Flag(
        "many_inbound_counterparties",
        "Many unrelated inbound counterparties",
        "Money arrives from many different, unrelated payers, typical of a mule account.",
        "7 days",
        "5 or more distinct payers",
        "transaction_patterns",
    ),
    Flag(
        "dormant_reactivation",
        "Dormant account reactivated",
        "An account with no activity for months suddenly logs in and moves money.",
        "90 days of inactivity before the login",
        "a transaction within 7 days of the first login after the gap",
        "transaction_patterns",
    ),
    Flag(
        "profile_inconsistent_activity",
        "Activity inconsistent with profile",
        "The money moved does not fit what the customer declared about their occupation "
        "and income.",
        "30 days",
        "deposited USD at least 3 times the declared monthly income",
        "source_of_funds",
    ),
    Flag(
        "high_risk_counterparty",
        "High-risk counterparty",
        "A transfer to or from an address that chain analytics labels as a mixer, a scam, a "
        "darknet market or a sanctioned party.",
        "the case window",
        "1 or more transfers with a counterparty labelled mixer, scam, darknet_market or "
        "sanctioned",
        "anonymity",
    ),
    Flag(
        "lookalike_address",
        "Look-alike address",
        "A withdrawal to an address that starts and ends like one the customer uses but is a "
        "different address: the sign of address poisoning.",
        "the customer's previous 30 days",
        "first 4 and last 4 characters equal to a known counterparty, rest different",
        "anonymity",
    ),
    Flag(
        "shared_device_or_ip",
        "Device or IP shared by accounts",
        "The same device or IP address is used by several unrelated customers.",
        "30 days",
        "3 or more customers on one device id or IP address",
        "anonymity",
    ),
    Flag(
        "payer_name_mismatch",
        "Payer name mismatch",
        "A fiat deposit comes from a bank account or wallet in someone else's name.",
        "the case window",
        "payer name differs from the account holder's name",
        "senders_and_recipients",
    ),
    Flag(
        "escalating_deposits_one_address",
        "Escalating deposits to one external address",
        "Repeated and growing withdrawals to the same outside address: a scam victim sees each "
        "one as a deposit into a fake investment platform and is told to 'top up'.",
        "14 days",
        "3 or more withdrawals to one address, each larger than the one before",
        "transaction_patterns",
    ),
    Flag(
        "scam_wording_ticket",
        "Scam wording in a ticket",
        "A support message mentions a mentor, guaranteed profit, a tax or fee to unlock a "
        "withdrawal, or an investment group.",
        "the case window",
        "1 or more tickets with such wording",
        "senders_and_recipients",
    ),
)

FLAG_NAMES: tuple[str, ...] = tuple(flag.name for flag in FLAGS)
FLAGS_BY_NAME: dict[str, Flag] = {flag.name: flag for flag in FLAGS}

ACTIONS: tuple[str, ...] = (
    "close",
    "monitor",
    "contact_customer",
    "restrict_and_verify",
    "escalate_security",
    "escalate_compliance",
)

ACTION_DESCRIPTIONS: dict[str, str] = {
    "close": "Nothing suspicious: close the case.",
    "monitor": "Not actionable yet: keep watching the account.",
    "contact_customer": "Ask the customer to confirm or explain the activity.",
    "restrict_and_verify": "Hold withdrawals and re-verify the customer's identity.",
    "escalate_security": "Hand to the security team: the account is probably compromised.",
    "escalate_compliance": "Hand to compliance: possible money laundering or fraud.",
}

# P1 means funds are at risk now; P4 can wait for routine review.
PRIORITIES: tuple[str, ...] = ("P1", "P2", "P3", "P4")


def priority_rank(priority: str) -> int:
    """Return the 0-based rank of a priority, 0 for `P1`."""
    return PRIORITIES.index(priority)
