"""Dataset schemas: the columns of every table, their types, checks and descriptions.

The same definitions validate each table during a build, tell analysts which columns of
their own export are missing or wrongly typed, and generate the data dictionary.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pandas as pd
import pandera.errors
import pandera.pandas as pa

from triagelab.exceptions import SchemaError
from triagelab.scenarios import COUNTRY_CODES, SEGMENTS
from triagelab.synthetic.ticket_texts import COUNTRY_LANGUAGE, TICKET_CATEGORIES
from triagelab.vocab import ACTIONS, COUNTERPARTY_LABELS, PRIORITIES

logger = logging.getLogger(__name__)

TIMESTAMP = pd.DatetimeTZDtype(unit="ms", tz="UTC")
AUTH_EVENT_TYPES = (
    "login",
    "login_failed",
    "password_change",
    "2fa_change",
    "email_change",
    "phone_change",
)
TX_TYPES = (
    "fiat_deposit",
    "fiat_withdrawal",
    "buy",
    "sell",
    "crypto_deposit",
    "crypto_withdrawal",
    "p2p_buy",
    "p2p_sell",
)
TX_STATUSES = ("completed", "failed", "pending")


def _text(
    description: str, *, nullable: bool = False, isin: tuple[str, ...] | None = None
) -> pa.Column:
    checks = [pa.Check.isin(list(isin))] if isin else None
    return pa.Column(str, checks=checks, nullable=nullable, description=description)


def _time(description: str) -> pa.Column:
    return pa.Column(TIMESTAMP, nullable=False, description=description)


def _number(description: str, *, nullable: bool = False, minimum: float | None = 0) -> pa.Column:
    checks = [pa.Check.ge(minimum)] if minimum is not None else None
    return pa.Column(float, checks=checks, nullable=nullable, description=description)


CUSTOMERS = pa.DataFrameSchema(
    {
        "customer_id": _text("Customer id: random, carries no meaning."),
        "country": _text("Home country, ISO 3166-1 alpha-2.", isin=COUNTRY_CODES),
        "home_timezone": _text("IANA time zone of the customer's home."),
        "currency": _text("ISO 4217 code of the customer's fiat currency."),
        "first_name": _text("Given name."),
        "last_name": _text("Family name."),
        "full_name": _text("Name as written on the customer's ID, in local order."),
        "gender": _text("Gender on the ID.", isin=("female", "male")),
        "birth_year": pa.Column(int, pa.Check.in_range(1900, 2100), description="Year of birth."),
        "occupation": _text("Declared occupation."),
        "declared_monthly_income_usd": _number("Declared monthly income, in USD."),
        "segment": _text("Behavioural segment the customer's baseline follows.", isin=SEGMENTS),
        "kyc_tier": pa.Column("int8", pa.Check.isin([1, 2, 3]), description="KYC tier, 1 to 3."),
        "signup_at": _time("When the account was opened (UTC)."),
        # Optional in an analyst's own export, which may not carry it; builds always write it.
        "last_login_at": pa.Column(
            TIMESTAMP,
            nullable=False,
            required=False,
            description="Last login before the scenario window (UTC). Months before the "
            "window's first login mean a dormant account came back to life.",
        ),
    },
    unique=["customer_id"],
    strict=True,
    name="customers",
)

AUTH_EVENTS = pa.DataFrameSchema(
    {
        "event_id": _text("Event id: random, unique across all event tables."),
        "customer_id": _text("Customer id."),
        "ts": _time("When the event happened (UTC)."),
        "event_type": _text("Login, failed login or a credential change.", isin=AUTH_EVENT_TYPES),
        "device_id": _text("Stable id of the device."),
        "device_model": _text("Device model as reported by the app."),
        "os": _text("Operating system and version."),
        "ip_address": _text("IPv4 address the request came from."),
        "ip_country": _text("Country of the IP address, ISO 3166-1 alpha-2."),
    },
    unique=["event_id"],
    strict=True,
    name="auth_events",
)

TRANSACTIONS = pa.DataFrameSchema(
    {
        "event_id": _text("Event id: random, unique across all event tables."),
        "customer_id": _text("Customer id."),
        "ts": _time("When the transaction was requested (UTC)."),
        "tx_type": _text("Kind of transaction.", isin=TX_TYPES),
        "status": _text("Outcome.", isin=TX_STATUSES),
        "failure_reason": _text("Why it failed; empty unless `status` is failed.", nullable=True),
        "asset": _text("Crypto asset; empty for fiat-only transactions.", nullable=True),
        "chain": _text("Chain of a crypto deposit or withdrawal.", nullable=True),
        "fiat_amount": _number("Amount in the customer's currency."),
        "usd_amount": _number("Amount in USD at the country's reference rate."),
        "rail": _text("Fiat rail (FAST, PayNow, FPX, InstaPay, ...).", nullable=True),
        "payer_name": _text("Name on the paying bank account or wallet (fiat in).", nullable=True),
        "counterparty": _text(
            "Other side: a chain address, a P2P user id or a bank-account marker.", nullable=True
        ),
        "counterparty_label": _text(
            "Label from the customer's address book (`whitelisted`) or from chain analytics.",
            nullable=True,
            isin=COUNTERPARTY_LABELS,
        ),
        "fiat_currency": _text("ISO 4217 code of `fiat_amount`."),
        "asset_amount": _number("Amount of `asset`; empty for fiat-only.", nullable=True),
    },
    unique=["event_id"],
    strict=True,
    name="transactions",
)

TICKETS = pa.DataFrameSchema(
    {
        "event_id": _text("Ticket id: random, unique across all event tables."),
        "customer_id": _text("Customer id."),
        "ts": _time("When the ticket was opened (UTC)."),
        "category": _text("Ticket category.", isin=TICKET_CATEGORIES),
        "channel": _text("Contact channel.", isin=("chat", "email", "in_app")),
        "language": _text(
            "Language of the message (BCP 47).",
            isin=tuple(sorted({"en", *(language for language, _ in COUNTRY_LANGUAGE.values())})),
        ),
        "message": _text("The customer's first message."),
        "first_response_s": pa.Column(
            int, pa.Check.ge(0), description="Seconds to first human reply."
        ),
        "handle_time_s": pa.Column(int, pa.Check.ge(0), description="Agent handling seconds."),
        "contacts": pa.Column("int8", pa.Check.ge(1), description="Contacts until resolved."),
        "first_contact_resolution": pa.Column(bool, description="Solved at the first contact."),
        "csat": pa.Column(
            "Int8",
            pa.Check.in_range(1, 5),
            nullable=True,
            description="Satisfaction 1-5; empty when the survey went unanswered.",
        ),
    },
    unique=["event_id"],
    strict=True,
    name="tickets",
)

MARKET = pa.DataFrameSchema(
    {
        "ts": _time("Start of the hour (UTC)."),
        "asset": _text("Crypto asset."),
        "price_usd": _number("Price in USD at the start of the hour."),
        "volatility_episode": pa.Column(bool, description="Inside a volatility episode."),
    },
    strict=True,
    name="market",
)

CASES = pa.DataFrameSchema(
    {
        "case_id": _text("Case id: random, carries no meaning."),
        "customer_id": _text("Customer the case is about."),
        "opened_at": _time("When the case entered the queue (UTC)."),
        "alert_source": _text("What raised the case."),
        "score": _number("Risk score of the alert, 0-100."),
    },
    unique=["case_id"],
    strict=True,
    name="cases",
)

LABELS = pa.DataFrameSchema(
    {
        "case_id": _text("Case id."),
        "customer_id": _text("Customer id."),
        "typology": _text("Story behind the case, or `baseline` for ordinary activity."),
        "is_suspicious": pa.Column(bool, description="True for suspicious typologies."),
        "flags": pa.Column(object, description="Flags the story produced (list of names)."),
        "expected_action": _text("Action a good agent takes.", isin=ACTIONS),
        "expected_priority": _text("Priority a good agent gives.", isin=PRIORITIES),
        "evidence_event_ids": pa.Column(object, description="Ids of the events that show it."),
        "explanation": _text("Why, in plain language, for feedback."),
        "subtlety": _number("How subtle the story was made, 0-1."),
    },
    unique=["case_id"],
    strict=True,
    name="labels",
)

TABLES: dict[str, pa.DataFrameSchema] = {
    "customers": CUSTOMERS,
    "auth_events": AUTH_EVENTS,
    "transactions": TRANSACTIONS,
    "tickets": TICKETS,
    "market": MARKET,
    "cases": CASES,
    "labels": LABELS,
}
# Answer-key columns: none of these may appear in anything a trainee receives.
KEY_COLUMNS = frozenset(
    {
        "typology",
        "is_suspicious",
        "flags",
        "expected_action",
        "expected_priority",
        "evidence_event_ids",
        "explanation",
        "subtlety",
    }
)


@dataclass(frozen=True)
class ColumnDoc:
    """One line of the data dictionary."""

    table: str
    column: str
    dtype: str
    nullable: bool
    description: str
    allowed_values: tuple[str, ...] = ()


def validate(table: str, frame: pd.DataFrame, *, source: str | None = None) -> pd.DataFrame:
    """Validate a table against its schema.

    Raises
    ------
    SchemaError
        Naming the table (or `source`), the column and what was wrong.
    """
    # Imported here because the report reader imports this module.
    from triagelab.reports.data import allowed_text, failure_message

    schema = TABLES[table]
    if frame.empty:
        # Without values pandas cannot tell text from other objects, so the empty object
        # columns that the schema declares as text get that dtype.
        text = [
            name
            for name, column in schema.columns.items()
            if name in frame.columns
            and frame[name].dtype == object
            and str(column.dtype).startswith("str")
        ]
        frame = frame.astype(dict.fromkeys(text, "str"))
    try:
        return schema.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as err:
        where = source or table
        cases = err.failure_cases
        first = cases.iloc[0]
        column = str(first["column"]) if pd.notna(first["column"]) else str(first["check"])
        same = cases[(cases["column"] == first["column"]) & (cases["check"] == first["check"])]
        bad = pd.Series(
            same["failure_case"].to_numpy(),
            index=same["index"].fillna(-1).astype(int).to_numpy(),
            name="value",
        )
        check = str(first["check"]).split("(")[0]
        allowed = (
            allowed_text(schema.columns[column], check)
            if column in schema.columns
            else f"the `{table}` schema"
        )
        raise SchemaError(
            failure_message(where, column, bad, allowed, rows=bool(same["index"].notna().any())),
            path=source,
            field=column,
        ) from err


def check_columns(table: str, frame: pd.DataFrame, *, source: str) -> None:
    """Check that a frame has every column of a table with a compatible type.

    Raises
    ------
    SchemaError
        Listing the missing columns, or the first column with a wrong type.
    """
    schema = TABLES[table]
    missing = [
        name
        for name, column in schema.columns.items()
        if column.required and name not in frame.columns
    ]
    if missing:
        raise SchemaError(
            f"{source}: missing columns for `{table}`: {', '.join(missing)}",
            path=source,
            field=missing[0],
        )
    present = [name for name in schema.columns if name in frame.columns]
    validate(table, frame[present], source=source)


def allowed_values(column: pa.Column) -> tuple[str, ...]:
    """Return the values an `isin` check of `column` allows, or an empty tuple if none."""
    for check in column.checks:
        if check.name == "isin":
            return tuple(str(value) for value in check.statistics["allowed_values"])
    return ()


def dictionary() -> list[ColumnDoc]:
    """Return every documented column of every table."""
    docs = []
    for table, schema in TABLES.items():
        for name, column in schema.columns.items():
            docs.append(
                ColumnDoc(
                    table,
                    name,
                    str(column.dtype),
                    bool(column.nullable),
                    column.description or "",
                    allowed_values(column),
                )
            )
    return docs
