"""Scam-victim stories: the customer acts, but for a fraudster who has won their trust."""

from __future__ import annotations

from triagelab.synthetic.addresses import make_lookalike
from triagelab.synthetic.typologies.base import Story, StoryContext, Typology
from triagelab.synthetic.typologies.helpers import (
    clamp,
    new_address,
    own_wallet,
    rail_of,
    usual_hour,
)

HOUR = 3600
DAY = 86_400
# The asset a customer usually moves on each chain of their own wallet.
CHAIN_ASSET = {"tron": "USDT", "ethereum": "USDT", "bitcoin": "BTC", "solana": "SOL"}


def _fiat_in(ctx: StoryContext, story: Story, ts: int, usd: float, *, evidence: bool) -> None:
    """Add a fiat deposit from the customer's own bank account and the buy that follows."""
    story.transaction(
        ctx,
        ts,
        "fiat_deposit",
        usd_amount=usd,
        rail=rail_of(ctx),
        payer_name=str(ctx.customer["full_name"]),
        counterparty="own_bank_account",
        evidence=evidence,
    )
    later = clamp(ctx, ts + int(ctx.rng.integers(3 * 60, 40 * 60)))
    story.transaction(ctx, later, "buy", asset="USDT", usd_amount=usd * 0.995)


def pig_butchering_victim(ctx: StoryContext) -> Story:
    """Write a pig-butchering victim: growing transfers to one address after a small 'profit'.

    FinCEN alert FIN-2023-Alert005 describes the pattern: a customer with little crypto
    history deposits growing sums, receives a small inbound "profit", then sends larger
    amounts to one outside address.
    """
    rng = ctx.rng
    story = Story(
        flags=["escalating_deposits_one_address", "profile_inconsistent_activity"],
        explanation="",
    )
    scam_address = new_address(ctx, "tron")
    transfers = ctx.count(subtle=(3, 5), obvious=(4, 7))
    start = ctx.anchor - 9 * DAY
    usd = max(ctx.income_usd * rng.uniform(0.2, 0.4), 150.0)
    total = 0.0
    for i in range(transfers):
        day = ctx.local_day_start(start + int(i * 9 * DAY / transfers))
        t = clamp(ctx, ctx.local_to_utc(day, usual_hour(ctx)))
        _fiat_in(ctx, story, t, usd * rng.uniform(1.0, 1.05), evidence=i == transfers - 1)
        t = clamp(ctx, t + int(rng.integers(HOUR, 3 * HOUR)))
        story.transaction(
            ctx,
            t,
            "crypto_withdrawal",
            asset="USDT",
            chain="tron",
            usd_amount=usd,
            counterparty=scam_address,
            evidence=True,
        )
        total += usd
        if i == 0:
            # The "platform" pays a small profit back to build trust.
            story.transaction(
                ctx,
                clamp(ctx, t + int(rng.integers(DAY, 2 * DAY))),
                "crypto_deposit",
                asset="USDT",
                chain="tron",
                usd_amount=usd * rng.uniform(0.08, 0.2),
                counterparty=new_address(ctx, "tron"),
                evidence=True,
            )
        usd *= rng.uniform(1.4, 2.2)
    coached = rng.random() < 0.85 - 0.6 * ctx.subtlety
    if coached:
        story.ticket(
            ctx,
            clamp(ctx, t + int(rng.integers(2 * HOUR, 20 * HOUR))),
            "withdrawal_pending",
            message="<scam-coached>",
            evidence=True,
        )
        story.flags.append("scam_wording_ticket")
    story.explanation = (
        f"{transfers} transfers of USDT to the same outside address over about nine days, each "
        f"larger than the last, USD {total:,.0f} in all, funded from the customer's own bank "
        f"account; the declared income is USD {ctx.income_usd:,.0f} a month. A small inbound "
        "'profit' came early. "
        + ("A ticket repeats a mentor's instructions. " if coached else "")
        + "A pig-butchering victim: contact the customer, warn them and hold further transfers."
    )
    return story


def fake_trading_app_victim(ctx: StoryContext) -> Story:
    """Write a fake-trading-app victim: transfers to many addresses, then a 'tax' to withdraw."""
    rng = ctx.rng
    story = Story(
        flags=["large_withdrawal_new_address", "profile_inconsistent_activity"],
        explanation="",
    )
    transfers = ctx.count(subtle=(4, 7), obvious=(6, 12))
    addresses = [new_address(ctx, "tron") for _ in range(max(2, transfers // 2))]
    start = ctx.anchor - 6 * DAY
    total = 0.0
    t = start
    for i in range(transfers):
        t = clamp(ctx, t + int(rng.integers(6 * HOUR, 30 * HOUR)))
        usd = max(ctx.income_usd * rng.uniform(0.3, 1.2), 120.0)
        total += usd
        _fiat_in(ctx, story, t, usd * 1.01, evidence=False)
        story.transaction(
            ctx,
            clamp(ctx, t + int(rng.integers(HOUR, 2 * HOUR))),
            "crypto_withdrawal",
            asset="USDT",
            chain="tron",
            usd_amount=usd,
            counterparty=addresses[i % len(addresses)],
            evidence=i < 2 or i == transfers - 1,
        )
    # The app shows a large balance but demands a "tax" before it releases the withdrawal.
    worded = rng.random() < 0.95 - 0.5 * ctx.subtlety
    story.ticket(
        ctx,
        clamp(ctx, t + int(rng.integers(3 * HOUR, 24 * HOUR))),
        "withdrawal_pending",
        message="<scam-coached>" if worded else None,
        evidence=True,
    )
    if worded:
        story.flags.append("scam_wording_ticket")
    story.explanation = (
        f"{transfers} transfers to {len(addresses)} different outside addresses within a week, "
        f"USD {total:,.0f} in all, each paid in from the customer's bank just before; then a "
        "ticket about a withdrawal that is pending on 'the platform'. The addresses belong to "
        "a fake trading app that shows profits and demands a tax to release them. Contact the "
        "customer and warn them."
    )
    return story


def address_poisoning_victim(ctx: StoryContext) -> Story:
    """Write address poisoning: dust from a look-alike, then a transfer to the look-alike."""
    rng = ctx.rng
    story = Story(flags=["lookalike_address", "large_withdrawal_new_address"], explanation="")
    known, chain = own_wallet(ctx)
    asset = CHAIN_ASSET.get(chain, "USDT")
    lookalike = make_lookalike(known, chain, rng)
    day = ctx.local_day_start(ctx.anchor)
    # Two earlier withdrawals to the known address make it the one the wallet suggests.
    for back in (6, 3):
        t = clamp(ctx, ctx.local_to_utc(day - back * DAY, usual_hour(ctx)))
        story.transaction(
            ctx,
            t,
            "crypto_withdrawal",
            asset=asset,
            chain=chain,
            usd_amount=ctx.income_usd * rng.uniform(0.1, 0.3),
            counterparty=known,
            counterparty_label="whitelisted",
        )
    t = clamp(ctx, ctx.local_to_utc(day - DAY, usual_hour(ctx, 6.0)))
    story.transaction(
        ctx,
        t,
        "crypto_deposit",
        asset=asset,
        chain=chain,
        # Dust worth one cent to one dollar: stored amounts keep cents, so a smaller deposit
        # would round to zero and leave nothing for a trainee to see.
        usd_amount=round(float(rng.uniform(0.01, 1.0)), 2),
        counterparty=lookalike,
        evidence=True,
    )
    t = clamp(ctx, ctx.local_to_utc(day, usual_hour(ctx)))
    tested = ctx.subtle(0.7)
    if tested:
        story.transaction(
            ctx,
            t,
            "crypto_withdrawal",
            asset=asset,
            chain=chain,
            usd_amount=rng.uniform(5, 20),
            counterparty=lookalike,
            evidence=True,
        )
        t += int(rng.integers(5 * 60, 30 * 60))
    usd = max(ctx.income_usd * rng.uniform(1.0, 3.0), 800.0)
    story.transaction(
        ctx,
        clamp(ctx, t),
        "crypto_withdrawal",
        asset=asset,
        chain=chain,
        usd_amount=usd,
        counterparty=lookalike,
        evidence=True,
    )
    if ctx.subtle(0.9):
        story.ticket(ctx, clamp(ctx, t + int(rng.integers(2 * HOUR, 30 * HOUR))), "scam_report")
    story.explanation = (
        f"A dust deposit came from {lookalike}, whose first and last characters match the "
        f"customer's usual address {known}. A day later about USD {usd:,.0f} of {asset} went "
        "to the look-alike, copied from the transaction history. Address poisoning: contact "
        "the customer, help them report it and have them check addresses in full."
    )
    return story


SCAM_TYPOLOGIES = (
    Typology(
        name="pig_butchering_victim",
        kind="suspicious",
        title="Pig-butchering victim",
        flags=(
            "escalating_deposits_one_address",
            "profile_inconsistent_activity",
            "scam_wording_ticket",
        ),
        expected_action="contact_customer",
        expected_priority="P2",
        summary="A customer groomed by a 'mentor' or online partner sends growing sums to one "
        "address after a small 'profit'.",
        inject=pig_butchering_victim,
        segments=("salary_saver", "regular_saver", "mobile_daily"),
        fatf_categories=("senders_and_recipients", "source_of_funds", "transaction_patterns"),
    ),
    Typology(
        name="fake_trading_app_victim",
        kind="suspicious",
        title="Fake trading app victim",
        flags=(
            "large_withdrawal_new_address",
            "profile_inconsistent_activity",
            "scam_wording_ticket",
        ),
        expected_action="contact_customer",
        expected_priority="P2",
        summary="Many transfers to several addresses of a fake platform, then a 'tax' is "
        "demanded before a withdrawal.",
        inject=fake_trading_app_victim,
        segments=("salary_saver", "regular_saver", "mobile_daily"),
        fatf_categories=("senders_and_recipients", "transaction_patterns"),
    ),
    Typology(
        name="address_poisoning_victim",
        kind="suspicious",
        title="Address poisoning victim",
        flags=("lookalike_address", "large_withdrawal_new_address"),
        expected_action="contact_customer",
        expected_priority="P2",
        summary="Dust from a look-alike of a known address; the customer later pastes the "
        "look-alike and loses the transfer.",
        inject=address_poisoning_victim,
        segments=("mobile_daily", "active_trader", "regular_saver", "p2p_user"),
        fatf_categories=("anonymity",),
    ),
)
