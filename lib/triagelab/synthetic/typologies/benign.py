"""Benign look-alikes: ordinary customers whose behaviour shares flags with suspicious stories."""

from __future__ import annotations

from triagelab.synthetic.typologies.base import Story, StoryContext, Typology
from triagelab.synthetic.typologies.helpers import (
    REGIONAL_COUNTRIES,
    clamp,
    new_address,
    new_ip,
    pick_foreign_country,
)

HOUR = 3600


def traveller(ctx: StoryContext) -> Story:
    """Write a trip abroad: logins from another country at hours odd for the home time zone."""
    rng = ctx.rng
    pool = ("JP", "KR", "AU", "HK", "TW", *REGIONAL_COUNTRIES)
    country = pick_foreign_country(ctx, pool)
    story = Story(flags=["new_country_or_impossible_travel", "unusual_hour_login"], explanation="")
    trip_days = int(rng.integers(3, 7))
    first_day = ctx.local_day_start(ctx.anchor) - 86_400
    hotel_ip = new_ip(ctx)
    for day in range(trip_days):
        day_start = first_day + day * 86_400
        for _ in range(int(rng.integers(1, 4))):
            hour = (ctx.population.rhythm_hour[ctx.row] + rng.normal(0, 2)) % 24
            story.login(
                ctx,
                clamp(ctx, ctx.local_to_utc(day_start, hour)),
                ip_address=hotel_ip,
                ip_country=country,
                evidence=day == 0,
            )
    # A late-night login in the home time zone: checking the account after a flight.
    story.login(
        ctx,
        clamp(ctx, ctx.local_to_utc(first_day, rng.uniform(2.0, 4.5))),
        ip_address=hotel_ip,
        ip_country=country,
        evidence=True,
    )
    if rng.random() < 0.6:
        t = clamp(ctx, first_day + int(rng.integers(20, 40)) * HOUR)
        story.transaction(ctx, t, "sell", asset="USDT", usd_amount=rng.uniform(100, 600))
        story.transaction(
            ctx,
            t + int(rng.integers(300, 1800)),
            "fiat_withdrawal",
            usd_amount=rng.uniform(90, 550),
            rail="bank_transfer",
            payer_name=str(ctx.customer["full_name"]),
            counterparty="own_bank_account",
        )
    story.explanation = (
        f"Logins from {country} for {trip_days} days on the customer's usual phone, one of "
        "them at night by home time; no credential change, no new device, money only to the "
        "customer's own bank account. A trip abroad: close."
    )
    return story


def volatility_panic(ctx: StoryContext) -> Story:
    """Write a customer reacting to a crash: failed sells, night logins, move to cold storage."""
    rng = ctx.rng
    story = Story(
        flags=["failed_tx_burst", "unusual_hour_login", "large_withdrawal_new_address"],
        explanation="",
    )
    day = ctx.local_day_start(ctx.anchor)
    t = clamp(ctx, ctx.local_to_utc(day, rng.uniform(1.0, 4.0)))
    story.login(ctx, t, evidence=True)
    t += int(rng.integers(60, 300))
    attempts = int(rng.integers(3, 6))
    for _ in range(attempts):
        story.transaction(
            ctx,
            clamp(ctx, t),
            "sell",
            asset="BTC",
            usd_amount=ctx.income_usd * rng.uniform(0.3, 1.0),
            status="failed",
            failure_reason="price_moved",
            evidence=True,
        )
        t += int(rng.integers(40, 300))
    story.transaction(
        ctx, clamp(ctx, t), "sell", asset="BTC", usd_amount=ctx.income_usd * rng.uniform(0.2, 0.6)
    )
    t += int(rng.integers(2 * HOUR, 10 * HOUR))
    usd = max(ctx.income_usd * rng.uniform(1.5, 3.0), rng.uniform(1_000, 3_000))
    story.transaction(
        ctx,
        clamp(ctx, t),
        "crypto_withdrawal",
        asset="BTC",
        chain="bitcoin",
        usd_amount=usd,
        counterparty=new_address(ctx, "bitcoin"),
        evidence=True,
    )
    story.ticket(ctx, clamp(ctx, t - HOUR), "fees")
    story.explanation = (
        f"During a sharp price move the customer logged in at night, tried to sell {attempts} "
        "times as the price moved, then moved about USD "
        f"{usd:,.0f} of BTC to a new wallet of their own from their usual device. No "
        "credential change and no new device: a nervous holder, not a takeover. Close."
    )
    return story


BENIGN_TYPOLOGIES = (
    Typology(
        name="traveller",
        kind="benign",
        title="Customer travelling abroad",
        flags=("new_country_or_impossible_travel", "unusual_hour_login"),
        expected_action="close",
        expected_priority="P4",
        summary="Logins from abroad on the usual device; looks like a takeover at first sight.",
        inject=traveller,
        fatf_categories=("geography",),
    ),
    Typology(
        name="volatility_panic",
        kind="benign",
        title="Volatility panic",
        flags=("failed_tx_burst", "unusual_hour_login", "large_withdrawal_new_address"),
        expected_action="close",
        expected_priority="P4",
        summary="A holder reacting to a price crash: failed sells, night logins, funds to cold "
        "storage.",
        inject=volatility_panic,
        segments=("active_trader", "mobile_daily", "regular_saver"),
        fatf_categories=("transaction_patterns",),
    ),
)
