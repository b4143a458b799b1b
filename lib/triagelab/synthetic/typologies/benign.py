"""Benign look-alikes: ordinary customers whose behaviour shares flags with suspicious stories."""

from __future__ import annotations

from triagelab.synthetic.population import DEVICE_MODELS
from triagelab.synthetic.typologies.base import Story, StoryContext, Typology
from triagelab.synthetic.typologies.helpers import (
    REGIONAL_COUNTRIES,
    clamp,
    new_address,
    new_device,
    new_ip,
    other_rows,
    own_wallet,
    pick_foreign_country,
    rail_of,
    usual_hour,
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
            rail=rail_of(ctx),
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


def new_phone(ctx: StoryContext) -> Story:
    """Write a customer moving to a new phone: 2FA re-enrolled, the usual life goes on."""
    rng = ctx.rng
    story = Story(flags=["new_device", "credential_change"], explanation="")
    device, model = new_device(ctx)
    day = ctx.local_day_start(ctx.anchor)
    t = clamp(ctx, ctx.local_to_utc(day, usual_hour(ctx)))
    home_ip = str(ctx.population.ips[ctx.row, 0])
    # The old phone is gone, so the customer first requests a 2FA reset from support.
    story.ticket(ctx, t, "account_locked_2fa", evidence=True)
    t += int(rng.integers(2 * HOUR, 20 * HOUR))
    story.login(ctx, t, device_id=device, model_index=model, ip_address=home_ip, evidence=True)
    t += int(rng.integers(60, 600))
    story.login(
        ctx,
        t,
        event_type="2fa_change",
        device_id=device,
        model_index=model,
        ip_address=home_ip,
        evidence=True,
    )
    for _ in range(int(rng.integers(2, 6))):
        t += int(rng.integers(8 * HOUR, 30 * HOUR))
        story.login(ctx, clamp(ctx, t), device_id=device, model_index=model, ip_address=home_ip)
    if rng.random() < 0.5 + 0.4 * ctx.subtlety:
        # A withdrawal soon after the change, but to the customer's own known wallet.
        wallet, chain = own_wallet(ctx)
        story.transaction(
            ctx,
            clamp(ctx, t + int(rng.integers(HOUR, 10 * HOUR))),
            "crypto_withdrawal",
            asset="USDT"
            if chain in {"tron", "ethereum"}
            else "BTC"
            if chain == "bitcoin"
            else "SOL",
            chain=chain,
            usd_amount=ctx.income_usd * rng.uniform(0.05, 0.3),
            counterparty=wallet,
            counterparty_label="whitelisted",
            evidence=True,
        )
        story.flags.append("withdrawal_after_credential_change")
    story.explanation = (
        "The customer wrote that they changed phones and lost their 2FA codes, then logged in "
        "on a new device from their usual home network and re-enrolled 2FA. Logins go on from "
        "that phone at the usual hours, and any money moved goes to their own known wallet. A "
        "new phone, not a takeover: close."
    )
    return story


def night_owl(ctx: StoryContext) -> Story:
    """Write a shift worker: night-time logins from the hospital or factory network."""
    rng = ctx.rng
    story = Story(flags=["unusual_hour_login", "shared_device_or_ip"], explanation="")
    workplace_ip = new_ip(ctx)
    colleagues = other_rows(ctx, int(rng.integers(2, 5)))
    pop = ctx.population
    first = ctx.local_day_start(ctx.anchor) - 4 * 86_400
    nights = int(rng.integers(3, 6))
    for night in range(nights):
        day = first + night * 86_400
        t = clamp(ctx, ctx.local_to_utc(day, rng.uniform(1.0, 4.5)))
        story.login(ctx, t, ip_address=workplace_ip, evidence=night == 0)
        if rng.random() < 0.5:
            story.transaction(
                ctx,
                clamp(ctx, t + int(rng.integers(60, 900))),
                "buy",
                asset="BTC",
                usd_amount=ctx.income_usd * rng.uniform(0.02, 0.1),
            )
        # Colleagues on the same staff Wi-Fi check their own accounts during the break.
        for colleague in colleagues:
            if rng.random() < 0.5:
                continue
            slot = 0
            model_index = int(pop.device_models[colleague, slot])
            story.auth.append(
                {
                    "customer_id": str(pop.customers["customer_id"].iat[colleague]),
                    "ts": clamp(ctx, t + int(rng.integers(-2 * HOUR, 2 * HOUR))),
                    "event_type": "login",
                    "device_id": str(pop.devices[colleague, slot]),
                    "device_model": DEVICE_MODELS[model_index][0],
                    "os": DEVICE_MODELS[model_index][1],
                    "ip_address": workplace_ip,
                    "ip_country": str(pop.customers["country"].iat[colleague]),
                    "evidence": False,
                }
            )
    story.explanation = (
        f"For {nights} nights the customer logged in between 01:00 and 04:30 local time, on "
        "their usual phone, from one IP address that several other customers also use at "
        "night. A staff Wi-Fi at a hospital or factory: shift work, not a mule farm, because "
        "each customer keeps their own device and nothing moves between the accounts. Close."
    )
    return story


def whale_cold_storage(ctx: StoryContext) -> Story:
    """Write a large holder moving funds to a new hardware wallet after adding a security key."""
    rng = ctx.rng
    story = Story(
        flags=[
            "credential_change",
            "withdrawal_after_credential_change",
            "large_withdrawal_new_address",
        ],
        explanation="",
    )
    day = ctx.local_day_start(ctx.anchor)
    t = clamp(ctx, ctx.local_to_utc(day, usual_hour(ctx)))
    story.login(ctx, t)
    t += int(rng.integers(60, 600))
    story.login(ctx, t, event_type="2fa_change", evidence=True)
    asset, chain = ("BTC", "bitcoin") if rng.random() < 0.6 else ("ETH", "ethereum")
    cold = new_address(ctx, chain)
    t += int(rng.integers(20 * 60, 3 * HOUR))
    test_usd = rng.uniform(20, 100)
    story.transaction(
        ctx,
        clamp(ctx, t),
        "crypto_withdrawal",
        asset=asset,
        chain=chain,
        usd_amount=test_usd,
        counterparty=cold,
        evidence=True,
    )
    t += int(rng.integers(30 * 60, 4 * HOUR))
    usd = max(ctx.income_usd * rng.uniform(6.0, 20.0), rng.uniform(15_000, 60_000))
    story.transaction(
        ctx,
        clamp(ctx, t),
        "crypto_withdrawal",
        asset=asset,
        chain=chain,
        usd_amount=usd,
        counterparty=cold,
        evidence=True,
    )
    if ctx.subtle(0.8):
        story.ticket(ctx, clamp(ctx, t - int(rng.integers(HOUR, 3 * HOUR))), "fees")
    story.explanation = (
        "On their usual device and network the customer added a security key, sent a small "
        f"test amount to a new {asset} address and then about USD {usd:,.0f}. A long-time "
        "holder moving savings to a hardware wallet: the device, IP and hours are all their "
        "own and there were no failed logins. Close."
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
        look_alike_of=("account_takeover", "credential_stuffing"),
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
        requires=("volatility",),
        look_alike_of=("account_takeover",),
    ),
    Typology(
        name="new_phone",
        kind="benign",
        title="New phone",
        flags=("new_device", "credential_change", "withdrawal_after_credential_change"),
        expected_action="close",
        expected_priority="P4",
        summary="A customer changes phones and re-enrols 2FA from home; looks like a SIM swap.",
        inject=new_phone,
        fatf_categories=("senders_and_recipients",),
        look_alike_of=("sim_swap", "account_takeover"),
    ),
    Typology(
        name="night_owl",
        kind="benign",
        title="Night-shift worker",
        flags=("unusual_hour_login", "shared_device_or_ip"),
        expected_action="close",
        expected_priority="P4",
        summary="Night logins from a workplace Wi-Fi that colleagues share; looks like a farm.",
        inject=night_owl,
        fatf_categories=("anonymity",),
        look_alike_of=("multi_account_device",),
    ),
    Typology(
        name="whale_cold_storage",
        kind="benign",
        title="Whale moving to cold storage",
        flags=(
            "credential_change",
            "withdrawal_after_credential_change",
            "large_withdrawal_new_address",
        ),
        expected_action="close",
        expected_priority="P4",
        summary="A large holder adds a security key and moves savings to a hardware wallet.",
        inject=whale_cold_storage,
        segments=("active_trader", "regular_saver", "salary_saver"),
        fatf_categories=("size_and_frequency",),
        look_alike_of=("account_takeover", "sim_swap", "dormant_takeover"),
    ),
)
