"""Money-laundering stories: the account is used to move other people's money."""

from __future__ import annotations

from triagelab.synthetic.facts import rail_names, usd_rate
from triagelab.synthetic.typologies.base import Story, StoryContext, Typology
from triagelab.synthetic.typologies.helpers import (
    clamp,
    human_amount,
    new_address,
    other_names,
)

HOUR = 3600


def money_mule(ctx: StoryContext) -> Story:
    """Write a mule: many payers send fiat, converted to USDT and sent to one address."""
    rng = ctx.rng
    story = Story(
        flags=[
            "many_inbound_counterparties",
            "payer_name_mismatch",
            "deposit_then_immediate_withdrawal",
        ],
        explanation="",
        customer_updates={"occupation": "student", "declared_monthly_income_usd": 300.0},
    )
    count = int(rng.integers(5, 8)) if ctx.subtlety > 0.5 else int(rng.integers(7, 13))
    payers = other_names(ctx, count)
    destination = new_address(ctx, "tron")
    start = ctx.anchor - 5 * 86_400
    total_usd = 0.0
    for i, payer in enumerate(payers):
        t = clamp(ctx, start + int(i * 5 * 86_400 / count) + int(rng.integers(0, 6 * HOUR)))
        usd = rng.uniform(120, 900)
        rate = usd_rate_of(ctx)
        fiat = human_amount(ctx, usd * rate)
        total_usd += fiat / rate
        story.transaction(
            ctx,
            t,
            "fiat_deposit",
            fiat_amount=fiat,
            rail=rail_of(ctx),
            payer_name=payer,
            counterparty="third_party_account",
            evidence=True,
        )
        t += int(rng.integers(5 * 60, 60 * 60))
        story.transaction(ctx, clamp(ctx, t), "buy", asset="USDT", fiat_amount=fiat)
        t += int(rng.integers(5 * 60, 50 * 60))
        story.transaction(
            ctx,
            clamp(ctx, t),
            "crypto_withdrawal",
            asset="USDT",
            chain="tron",
            fiat_amount=fiat * rng.uniform(0.93, 0.99),
            counterparty=destination,
            evidence=True,
        )
    story.flags.append("profile_inconsistent_activity")
    story.explanation = (
        f"{count} fiat deposits from {count} different people (none in the customer's name), "
        f"about USD {total_usd:,.0f} in all, each converted to USDT within the hour and sent "
        "to the same outside address. A student account passing strangers' money through: "
        "a money mule. Escalate to compliance."
    )
    return story


def usd_rate_of(ctx: StoryContext) -> float:
    """Return local currency units per USD for the customer's country."""
    return usd_rate(str(ctx.customer["country"]))


def rail_of(ctx: StoryContext) -> str:
    """Return a fiat rail of the customer's country."""
    rails = rail_names(str(ctx.customer["country"]))
    return str(rails[int(ctx.rng.integers(0, len(rails)))])


def structuring(ctx: StoryContext) -> Story:
    """Write structuring: repeated deposits just below the country's reporting threshold."""
    rng = ctx.rng
    story = Story(flags=["structuring_below_threshold"], explanation="")
    threshold = ctx.structuring_threshold
    if threshold is None:
        raise ValueError(f"country {ctx.customer['country']} has no threshold to structure under")
    count = int(rng.integers(3, 5)) if ctx.subtlety > 0.5 else int(rng.integers(4, 7))
    start = ctx.anchor - 5 * 86_400
    total = 0.0
    for i in range(count):
        t = clamp(ctx, start + int(i * 6 * 86_400 / count) + int(rng.integers(0, 8 * HOUR)))
        fiat = human_amount(ctx, threshold * rng.uniform(0.85, 0.99))
        total += fiat
        story.transaction(
            ctx,
            t,
            "fiat_deposit",
            fiat_amount=fiat,
            rail=rail_of(ctx),
            payer_name=str(ctx.customer["full_name"]),
            counterparty="own_bank_account",
            evidence=True,
        )
        t += int(rng.integers(HOUR, 20 * HOUR))
        story.transaction(ctx, clamp(ctx, t), "buy", asset="BTC", fiat_amount=fiat * 0.98)
    if total / usd_rate_of(ctx) >= 3 * ctx.income_usd:
        story.flags.append("profile_inconsistent_activity")
    currency = str(ctx.customer["currency"])
    story.explanation = (
        f"{count} deposits within a week, each between 85% and 99% of the {currency} "
        f"{threshold:,.0f} reporting threshold, {currency} {total:,.0f} in all. Splitting "
        "deposits to stay under a threshold is structuring: escalate to compliance."
    )
    return story


LAUNDERING_TYPOLOGIES = (
    Typology(
        name="money_mule",
        kind="suspicious",
        title="Money mule",
        flags=(
            "many_inbound_counterparties",
            "payer_name_mismatch",
            "deposit_then_immediate_withdrawal",
            "profile_inconsistent_activity",
        ),
        expected_action="escalate_compliance",
        expected_priority="P2",
        summary="Deposits from many unrelated payers, converted and sent out within the hour.",
        inject=money_mule,
        segments=("mobile_daily", "p2p_user"),
        fatf_categories=("transaction_patterns", "senders_and_recipients", "size_and_frequency"),
    ),
    Typology(
        name="structuring",
        kind="suspicious",
        title="Structuring below the reporting threshold",
        flags=("structuring_below_threshold", "profile_inconsistent_activity"),
        expected_action="escalate_compliance",
        expected_priority="P3",
        summary="Repeated deposits just under the country's large-transaction threshold.",
        inject=structuring,
        segments=("regular_saver", "active_trader", "mobile_daily"),
        fatf_categories=("size_and_frequency", "source_of_funds"),
    ),
)
