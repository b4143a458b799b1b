"""Money-laundering stories: the account is used to move other people's money."""

from __future__ import annotations

from triagelab.synthetic.population import DEVICE_MODELS
from triagelab.synthetic.typologies.base import Story, StoryContext, Typology
from triagelab.synthetic.typologies.helpers import (
    P2P_RAIL,
    clamp,
    new_address,
    new_device,
    new_ip,
    night_hour,
    other_names,
    other_rows,
    rail_of,
    usd_rate_of,
    usual_hour,
)
from triagelab.vocab import HIGH_RISK_LABELS

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
    count = ctx.count(subtle=(5, 8), obvious=(7, 13))
    payers = other_names(ctx, count)
    destination = new_address(ctx, "tron")
    start = ctx.anchor - 5 * 86_400
    total_usd = 0.0
    for i, payer in enumerate(payers):
        t = clamp(ctx, start + int(i * 5 * 86_400 / count) + int(rng.integers(0, 6 * HOUR)))
        usd = rng.uniform(120, 900)
        rate = usd_rate_of(ctx)
        fiat = usd * rate
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


def structuring(ctx: StoryContext) -> Story:
    """Write structuring: repeated deposits just below the country's reporting threshold."""
    rng = ctx.rng
    story = Story(flags=["structuring_below_threshold"], explanation="")
    threshold = ctx.structuring_threshold
    if threshold is None:
        raise ValueError(f"country {ctx.customer['country']} has no threshold to structure under")
    count = ctx.count(subtle=(3, 5), obvious=(4, 7))
    start = ctx.anchor - 5 * 86_400
    total = 0.0
    for i in range(count):
        t = clamp(ctx, start + int(i * 6 * 86_400 / count) + int(rng.integers(0, 8 * HOUR)))
        fiat = threshold * rng.uniform(0.85, 0.99)
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


def pass_through(ctx: StoryContext) -> Story:
    """Write a pass-through: crypto arrives from outside and leaves for another address at once."""
    rng = ctx.rng
    story = Story(
        flags=[
            "deposit_then_immediate_withdrawal",
            "large_withdrawal_new_address",
            "profile_inconsistent_activity",
        ],
        explanation="",
    )
    rounds = ctx.count(subtle=(2, 4), obvious=(3, 6))
    start = ctx.anchor - 4 * 86_400
    destination = new_address(ctx, "tron")
    total = 0.0
    for i in range(rounds):
        t = clamp(ctx, start + int(i * 4 * 86_400 / rounds) + int(rng.integers(0, 10 * HOUR)))
        usd = max(ctx.income_usd, 500.0) * rng.uniform(1.2, 3.0)
        total += usd
        story.transaction(
            ctx,
            t,
            "crypto_deposit",
            asset="USDT",
            chain="tron",
            usd_amount=usd,
            counterparty=new_address(ctx, "tron"),
            evidence=True,
        )
        t += int(rng.integers(4 * 60, 70 * 60))
        story.transaction(
            ctx,
            clamp(ctx, t),
            "crypto_withdrawal",
            asset="USDT",
            chain="tron",
            usd_amount=usd * rng.uniform(0.95, 0.995),
            counterparty=destination,
            evidence=True,
        )
    story.explanation = (
        f"{rounds} USDT deposits from different outside addresses, about USD {total:,.0f} in "
        "all, each sent on to the same new address within about an hour, with no trading in "
        f"between. Far above the declared income of USD {ctx.income_usd:,.0f} a month. The "
        "account is a hop in a laundering chain: escalate to compliance."
    )
    return story


def p2p_triangulation(ctx: StoryContext) -> Story:
    """Write P2P triangulation: P2P buys paid from other people's accounts, crypto sent out."""
    rng = ctx.rng
    story = Story(
        flags=[
            "payer_name_mismatch",
            "deposit_then_immediate_withdrawal",
            "large_withdrawal_new_address",
        ],
        explanation="",
    )
    orders = ctx.count(subtle=(2, 4), obvious=(3, 6))
    payers = other_names(ctx, orders)
    t = ctx.anchor - 2 * 86_400
    total = 0.0
    for payer in payers:
        t = clamp(ctx, t + int(rng.integers(2 * HOUR, 14 * HOUR)))
        usd = rng.uniform(200, 1_200)
        total += usd
        # The seller is paid by a scam victim who thinks they are buying goods online.
        story.transaction(
            ctx,
            t,
            "p2p_buy",
            asset="USDT",
            usd_amount=usd,
            rail=P2P_RAIL,
            payer_name=payer,
            counterparty=f"P2P-{int(rng.integers(0, 16**8)):08x}",
            evidence=True,
        )
    t = clamp(ctx, t + int(rng.integers(10 * 60, 80 * 60)))
    story.transaction(
        ctx,
        t,
        "crypto_withdrawal",
        asset="USDT",
        chain="tron",
        usd_amount=total * rng.uniform(0.95, 0.99),
        counterparty=new_address(ctx, "tron"),
        evidence=True,
    )
    if ctx.subtle(0.9):
        # A seller complains that the buyer's payment was reversed by the bank.
        story.ticket(ctx, clamp(ctx, t + int(rng.integers(6 * HOUR, 30 * HOUR))), "p2p_dispute")
    story.explanation = (
        f"{orders} P2P purchases of USDT, each paid from a bank account in another person's "
        f"name ({', '.join(payers)}), about USD {total:,.0f} in all, and the USDT was withdrawn "
        "to a new address right after. The payers are likely scam victims paying the seller "
        "for something else: P2P triangulation. Restrict the account and verify."
    )
    return story


def multi_account_device(ctx: StoryContext) -> Story:
    """Write a mule farm: one phone logs into several accounts, each forwarding deposits."""
    rng = ctx.rng
    story = Story(
        flags=[
            "shared_device_or_ip",
            "new_device",
            "deposit_then_immediate_withdrawal",
            "payer_name_mismatch",
        ],
        explanation="",
    )
    device = new_device(ctx)[0]
    model = int(rng.integers(0, 6))  # an Android phone: farms use cheap handsets
    ip = new_ip(ctx)
    others = other_rows(ctx, int(rng.integers(2, 5)))
    night = rng.random() < 0.8 - 0.6 * ctx.subtlety
    day = ctx.local_day_start(ctx.anchor)
    hour = night_hour(ctx) if night else usual_hour(ctx)
    t = clamp(ctx, ctx.local_to_utc(day, hour))
    destination = new_address(ctx, "tron")
    pop = ctx.population
    # The other accounts log in from the same phone within minutes of each other.
    for other in others:
        t += int(rng.integers(60, 600))
        story.auth.append(
            {
                "customer_id": str(pop.customers["customer_id"].iat[other]),
                "ts": t,
                "event_type": "login",
                "device_id": device,
                "device_model": DEVICE_MODELS[model][0],
                "os": DEVICE_MODELS[model][1],
                "ip_address": ip,
                "ip_country": str(pop.customers["country"].iat[other]),
                "evidence": False,
            }
        )
    t += int(rng.integers(60, 600))
    story.login(ctx, t, device_id=device, model_index=model, ip_address=ip, evidence=True)
    payer = other_names(ctx, 1)[0]
    usd = rng.uniform(300, 1_500)
    t += int(rng.integers(5 * 60, 40 * 60))
    story.transaction(
        ctx,
        clamp(ctx, t),
        "fiat_deposit",
        usd_amount=usd,
        rail=rail_of(ctx),
        payer_name=payer,
        counterparty="third_party_account",
        evidence=True,
    )
    t += int(rng.integers(5 * 60, 30 * 60))
    story.transaction(ctx, clamp(ctx, t), "buy", asset="USDT", usd_amount=usd * 0.995)
    t += int(rng.integers(5 * 60, 30 * 60))
    story.transaction(
        ctx,
        clamp(ctx, t),
        "crypto_withdrawal",
        asset="USDT",
        chain="tron",
        usd_amount=usd * rng.uniform(0.96, 0.99),
        counterparty=destination,
        evidence=True,
    )
    if night:
        story.flags.append("unusual_hour_login")
    story.explanation = (
        f"A phone this customer never used also logged into {len(others)} other accounts "
        "within minutes, from the same IP. On this account a deposit paid by "
        f"{payer} was bought into USDT and sent out within the hour. One handset working "
        "several accounts is a mule farm: escalate to compliance."
    )
    return story


def high_risk_exposure(ctx: StoryContext) -> Story:
    """Write exposure to labelled high-risk addresses: funds in from a mixer, out to a scam."""
    rng = ctx.rng
    story = Story(flags=["high_risk_counterparty"], explanation="")
    label = HIGH_RISK_LABELS[int(rng.integers(0, len(HIGH_RISK_LABELS)))]
    asset, chain = ("ETH", "ethereum") if rng.random() < 0.5 else ("USDT", "tron")
    t = clamp(ctx, ctx.local_to_utc(ctx.local_day_start(ctx.anchor), usual_hour(ctx)))
    usd = max(ctx.income_usd, 400.0) * rng.uniform(0.8, 4.0)
    inbound = rng.random() < 0.6
    if inbound:
        story.transaction(
            ctx,
            t,
            "crypto_deposit",
            asset=asset,
            chain=chain,
            usd_amount=usd,
            counterparty=new_address(ctx, chain),
            counterparty_label=label,
            evidence=True,
        )
        t += int(rng.integers(10 * 60, 3 * HOUR))
        story.transaction(ctx, clamp(ctx, t), "sell", asset=asset, usd_amount=usd * 0.99)
        t += int(rng.integers(5 * 60, 60 * 60))
        story.transaction(
            ctx,
            clamp(ctx, t),
            "fiat_withdrawal",
            usd_amount=usd * rng.uniform(0.9, 0.98),
            rail=rail_of(ctx),
            payer_name=str(ctx.customer["full_name"]),
            counterparty="own_bank_account",
            evidence=True,
        )
        story.flags.append("deposit_then_immediate_withdrawal")
        if usd >= 3 * ctx.income_usd:
            story.flags.append("profile_inconsistent_activity")
        what = f"received about USD {usd:,.0f} of {asset} from an address labelled `{label}`"
        then = ", sold it and cashed out to the bank within hours"
    else:
        story.transaction(
            ctx,
            t,
            "crypto_withdrawal",
            asset=asset,
            chain=chain,
            usd_amount=usd,
            counterparty=new_address(ctx, chain),
            counterparty_label=label,
            evidence=True,
        )
        what = f"sent about USD {usd:,.0f} of {asset} to an address labelled `{label}`"
        then = ""
    story.explanation = (
        f"The customer {what}{then}. Chain analytics tie that address to {label.replace('_', ' ')}"
        " activity: whatever the customer's story, compliance must review the exposure. "
        "Escalate to compliance."
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
        requires=("reporting_threshold",),
    ),
    Typology(
        name="pass_through",
        kind="suspicious",
        title="Pass-through account",
        flags=(
            "deposit_then_immediate_withdrawal",
            "large_withdrawal_new_address",
            "profile_inconsistent_activity",
        ),
        expected_action="escalate_compliance",
        expected_priority="P2",
        summary="Crypto arrives from outside and leaves for one new address within the hour, "
        "again and again.",
        inject=pass_through,
        fatf_categories=("size_and_frequency", "transaction_patterns"),
    ),
    Typology(
        name="p2p_triangulation",
        kind="suspicious",
        title="P2P triangulation",
        flags=(
            "payer_name_mismatch",
            "deposit_then_immediate_withdrawal",
            "large_withdrawal_new_address",
        ),
        expected_action="restrict_and_verify",
        expected_priority="P2",
        summary="P2P purchases paid by third parties (scam victims), the crypto sent out at once.",
        inject=p2p_triangulation,
        segments=("p2p_user",),
        fatf_categories=("anonymity", "senders_and_recipients"),
    ),
    Typology(
        name="multi_account_device",
        kind="suspicious",
        title="Several accounts on one device",
        flags=(
            "shared_device_or_ip",
            "new_device",
            "deposit_then_immediate_withdrawal",
            "payer_name_mismatch",
            "unusual_hour_login",
        ),
        expected_action="escalate_compliance",
        expected_priority="P2",
        summary="One handset and IP log into several customers' accounts; each forwards a "
        "stranger's deposit.",
        inject=multi_account_device,
        fatf_categories=("anonymity", "transaction_patterns"),
    ),
    Typology(
        name="high_risk_exposure",
        kind="suspicious",
        title="High-risk counterparty exposure",
        flags=(
            "high_risk_counterparty",
            "deposit_then_immediate_withdrawal",
            "profile_inconsistent_activity",
        ),
        expected_action="escalate_compliance",
        expected_priority="P2",
        summary="Funds from or to an address labelled mixer, scam, darknet market or sanctioned.",
        inject=high_risk_exposure,
        fatf_categories=("anonymity", "source_of_funds", "geography"),
    ),
)
