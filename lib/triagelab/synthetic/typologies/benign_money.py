"""Benign look-alikes in the money flows: savers, merchants, newcomers and slow chains."""

from __future__ import annotations

import pandas as pd

from triagelab.synthetic.typologies.base import Story, StoryContext, Typology
from triagelab.synthetic.typologies.helpers import (
    P2P_RAIL,
    clamp,
    new_address,
    other_names,
    own_wallet,
    rail_of,
    usual_hour,
)

HOUR = 3600
DAY = 86_400
CHAIN_ASSET = {"tron": "USDT", "ethereum": "ETH", "bitcoin": "BTC", "solana": "SOL"}


def payday_saver(ctx: StoryContext) -> Story:
    """Write a salary saver: pay in, buy, send to their own wallet, plus a year-end bonus."""
    rng = ctx.rng
    story = Story(flags=["deposit_then_immediate_withdrawal"], explanation="")
    wallet, chain = own_wallet(ctx)
    asset = CHAIN_ASSET.get(chain, "USDT")
    paydays = 2 if ctx.window.days >= 20 else 1
    bonus_month = rng.random() < 0.8 - 0.4 * ctx.subtlety
    total = 0.0
    for i in range(paydays):
        day = ctx.local_day_start(ctx.anchor - i * 15 * DAY)
        t = clamp(ctx, ctx.local_to_utc(day, usual_hour(ctx)))
        share = rng.uniform(0.25, 0.5)
        if i == 0 and bonus_month:
            # The 13th-month pay many employers in the region add in December or at Lunar
            # New Year comes on top of the salary.
            share += rng.uniform(2.5, 4.0)
        usd = ctx.income_usd * share
        total += usd
        story.transaction(
            ctx,
            t,
            "fiat_deposit",
            usd_amount=usd,
            rail=rail_of(ctx),
            payer_name=str(ctx.customer["full_name"]),
            counterparty="own_bank_account",
            evidence=True,
        )
        t += int(rng.integers(2 * 60, 20 * 60))
        story.transaction(ctx, t, "buy", asset=asset, usd_amount=usd * 0.995)
        t += int(rng.integers(10 * 60, 80 * 60))
        story.transaction(
            ctx,
            clamp(ctx, t),
            "crypto_withdrawal",
            asset=asset,
            chain=chain,
            usd_amount=usd * 0.99,
            counterparty=wallet,
            counterparty_label="whitelisted",
            evidence=True,
        )
    if bonus_month:
        story.flags.append("profile_inconsistent_activity")
    story.explanation = (
        f"On pay day the customer paid in from their own bank account, bought {asset} and "
        "sent it within the hour to the same wallet they have always used"
        + (", this time with a bonus on top of the salary" if bonus_month else "")
        + f" (USD {total:,.0f} in all). Money in and out fast, but from and to the customer's "
        "own accounts: a saver who keeps coins off the exchange. Close."
    )
    return story


def congestion_delay(ctx: StoryContext) -> Story:
    """Write a customer caught by a congested chain: retries fail, a ticket, then success."""
    rng = ctx.rng
    if not ctx.congestion:
        raise ValueError("congestion_delay needs a congestion window in the scenario")
    chain, start, end = ctx.congestion[int(rng.integers(0, len(ctx.congestion)))]
    story = Story(flags=["failed_tx_burst", "large_withdrawal_new_address"], explanation="")
    asset = {"ethereum": "ETH", "bitcoin": "BTC", "tron": "USDT", "solana": "SOL"}.get(
        chain, "USDT"
    )
    t = clamp(ctx, start + int(rng.integers(0, max(end - start - HOUR, 60))))
    usd = max(ctx.income_usd * rng.uniform(1.5, 4.0), rng.uniform(1_000, 4_000))
    # Moving funds to another exchange to sell there, as prices differ during congestion.
    destination = new_address(ctx, chain)
    tries = int(rng.integers(3, 6))
    for _ in range(tries):
        story.transaction(
            ctx,
            clamp(ctx, t),
            "crypto_withdrawal",
            asset=asset,
            chain=chain,
            usd_amount=usd,
            status="failed",
            failure_reason="network_congestion",
            counterparty=destination,
            evidence=True,
        )
        t += int(rng.integers(60, 600))
    story.ticket(
        ctx, clamp(ctx, t + int(rng.integers(60, 900))), "withdrawal_pending", evidence=True
    )
    t = max(t, end) + int(rng.integers(10 * 60, 2 * HOUR))
    story.transaction(
        ctx,
        clamp(ctx, t),
        "crypto_withdrawal",
        asset=asset,
        chain=chain,
        usd_amount=usd,
        counterparty=destination,
        evidence=True,
    )
    story.explanation = (
        f"While the {chain} network was congested the customer's withdrawal of about "
        f"USD {usd:,.0f} failed {tries} times; they wrote to support, and the same withdrawal "
        "went through once the congestion cleared. Usual device, usual network, one "
        "destination. A slow chain, not an attack: close."
    )
    return story


def wrong_network_newcomer(ctx: StoryContext) -> Story:
    """Write a new customer who picks the wrong network, then moves their coins out."""
    rng = ctx.rng
    story = Story(
        flags=[
            "failed_tx_burst",
            "deposit_then_immediate_withdrawal",
            "large_withdrawal_new_address",
        ],
        explanation="",
    )
    # The baseline may give the customer events from the first day of the window, so the
    # account opens shortly before the window: no event precedes the signup.
    signup = ctx.window.start - int(rng.integers(1 * HOUR, 3 * DAY))
    story.customer_updates["signup_at"] = pd.Timestamp(signup, unit="s", tz="UTC")
    day = ctx.local_day_start(ctx.anchor)
    t = clamp(ctx, ctx.local_to_utc(day, usual_hour(ctx)))
    usd = ctx.income_usd * rng.uniform(0.5, 1.2)
    story.transaction(
        ctx,
        t,
        "fiat_deposit",
        usd_amount=usd,
        rail=rail_of(ctx),
        payer_name=str(ctx.customer["full_name"]),
        counterparty="own_bank_account",
        evidence=True,
    )
    t += int(rng.integers(3 * 60, 20 * 60))
    story.transaction(ctx, t, "buy", asset="USDT", usd_amount=usd * 0.995)
    # A friend's wallet on another exchange expects USDT on TRON; the customer pastes the
    # address with the Ethereum network selected, and the address check rejects it.
    destination = new_address(ctx, "tron")
    tries = int(rng.integers(3, 5))
    for _ in range(tries):
        t += int(rng.integers(60, 400))
        story.transaction(
            ctx,
            t,
            "crypto_withdrawal",
            asset="USDT",
            chain="ethereum",
            usd_amount=usd * 0.99,
            status="failed",
            failure_reason="address_invalid",
            counterparty=destination,
            evidence=True,
        )
    story.ticket(
        ctx, clamp(ctx, t + int(rng.integers(60, 600))), "withdrawal_pending", evidence=True
    )
    t += int(rng.integers(20 * 60, 70 * 60))
    story.transaction(
        ctx,
        clamp(ctx, t),
        "crypto_withdrawal",
        asset="USDT",
        chain="tron",
        usd_amount=usd * 0.985,
        counterparty=destination,
        evidence=True,
    )
    opened_days = max((ctx.anchor - signup) // DAY, 1)
    story.explanation = (
        f"An account opened {opened_days} days earlier paid in from the holder's own bank, "
        "bought USDT and tried "
        f"{tries} times to send it on the Ethereum network to a TRON address, which failed; "
        "after asking support, it went out on TRON within the hour. A newcomer learning "
        "networks, with their own money and their own device: close."
    )
    return story


def p2p_merchant(ctx: StoryContext) -> Story:
    """Write a P2P merchant: many buyers pay in their own names, stock comes from own wallet."""
    rng = ctx.rng
    story = Story(
        flags=["many_inbound_counterparties", "payer_name_mismatch"],
        explanation="",
        customer_updates={"occupation": "business owner"},
    )
    wallet, chain = own_wallet(ctx)
    orders = int(rng.integers(6, 12))
    buyers = other_names(ctx, orders)
    start = ctx.anchor - 5 * DAY
    t = clamp(ctx, start)
    stock = ctx.income_usd * rng.uniform(1.0, 2.0) + 1_000
    story.transaction(
        ctx,
        t,
        "crypto_deposit",
        asset="USDT",
        chain=chain,
        usd_amount=stock,
        counterparty=wallet,
        counterparty_label="whitelisted",
        evidence=True,
    )
    total = 0.0
    for i, buyer in enumerate(buyers):
        day = ctx.local_day_start(start + int(i * 5 * DAY / orders))
        t = clamp(ctx, ctx.local_to_utc(day, rng.uniform(9.0, 22.0)))
        usd = rng.uniform(50, 400)
        total += usd
        # Each order is paid from the buyer's own account, in the buyer's name.
        story.transaction(
            ctx,
            t,
            "p2p_sell",
            asset="USDT",
            usd_amount=usd,
            rail=P2P_RAIL,
            payer_name=buyer,
            counterparty=f"P2P-{int(rng.integers(0, 16**8)):08x}",
            evidence=i < 3,
        )
    if ctx.subtle(0.6):
        story.ticket(ctx, clamp(ctx, t + int(rng.integers(HOUR, 10 * HOUR))), "p2p_dispute")
    story.explanation = (
        f"{orders} P2P sales of USDT to {orders} buyers, each paid from an account in the "
        "buyer's own name that matches the P2P order, about USD "
        f"{total:,.0f} in all, with stock topped up from the merchant's own wallet. Many "
        "payers, but each one is the buyer of record and the coins go to them: a P2P "
        "merchant, not a mule. Close."
    )
    return story


MONEY_LOOKALIKES = (
    Typology(
        name="payday_saver",
        kind="benign",
        title="Pay-day saver",
        flags=("deposit_then_immediate_withdrawal", "profile_inconsistent_activity"),
        expected_action="close",
        expected_priority="P4",
        summary="Salary paid in, bought and sent to the customer's own wallet within the hour; "
        "a bonus month makes it large.",
        inject=payday_saver,
        segments=("salary_saver", "regular_saver"),
        fatf_categories=("size_and_frequency", "source_of_funds"),
        look_alike_of=("pass_through", "money_mule"),
    ),
    Typology(
        name="congestion_delay",
        kind="benign",
        title="Withdrawal during network congestion",
        flags=("failed_tx_burst", "large_withdrawal_new_address"),
        expected_action="close",
        expected_priority="P4",
        summary="Withdrawals fail while a chain is congested, a ticket follows, the same "
        "withdrawal clears later.",
        inject=congestion_delay,
        fatf_categories=("transaction_patterns",),
        requires=("congestion",),
        look_alike_of=("credential_stuffing",),
    ),
    Typology(
        name="wrong_network_newcomer",
        kind="benign",
        title="Newcomer on the wrong network",
        flags=(
            "failed_tx_burst",
            "deposit_then_immediate_withdrawal",
            "large_withdrawal_new_address",
        ),
        expected_action="close",
        expected_priority="P4",
        summary="A new customer's withdrawals fail on the wrong network, then their money "
        "leaves for a friend's exchange.",
        inject=wrong_network_newcomer,
        fatf_categories=("transaction_patterns", "size_and_frequency"),
        look_alike_of=("pass_through", "credential_stuffing"),
    ),
    Typology(
        name="p2p_merchant",
        kind="benign",
        title="P2P merchant",
        flags=("many_inbound_counterparties", "payer_name_mismatch"),
        expected_action="close",
        expected_priority="P4",
        summary="Many buyers pay a P2P merchant, each in their own name as on the order.",
        inject=p2p_merchant,
        segments=("p2p_user", "active_trader"),
        fatf_categories=("senders_and_recipients", "anonymity"),
        look_alike_of=("money_mule", "p2p_triangulation"),
    ),
)
