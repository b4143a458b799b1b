"""Account-compromise stories: the customer is not the one acting."""

from __future__ import annotations

import pandas as pd

from triagelab.synthetic.activity import DAY
from triagelab.synthetic.typologies.base import Story, StoryContext, Typology
from triagelab.synthetic.typologies.helpers import (
    clamp,
    new_address,
    new_device,
    new_ip,
    night_hour,
    pick_foreign_country,
    usual_hour,
)

HOUR = 3600
# Days without a login that make an account dormant, as the `dormant_reactivation` flag
# defines it.
DORMANT_DAYS = 90


def account_takeover(ctx: StoryContext) -> Story:
    """Write a phishing takeover: failed logins, a new device, credential changes, a drain."""
    story = Story(
        flags=[
            "new_device",
            "credential_change",
            "withdrawal_after_credential_change",
            "large_withdrawal_new_address",
        ],
        explanation="",
    )
    rng = ctx.rng
    device, model = new_device(ctx)
    ip = new_ip(ctx)
    # Subtle variants log in from the home country and at the customer's usual hours.
    foreign = rng.random() < 0.9 - 0.7 * ctx.subtlety
    country = pick_foreign_country(ctx) if foreign else str(ctx.customer["country"])
    night = rng.random() < 0.9 - 0.6 * ctx.subtlety
    day = ctx.local_day_start(ctx.anchor)
    hour = (
        rng.uniform(1.5, 4.5)
        if night
        else (ctx.population.rhythm_hour[ctx.row] + rng.normal(0, 1)) % 24
    )
    t = clamp(ctx, ctx.local_to_utc(day, hour))

    for _ in range(int(rng.integers(2, 5))):
        story.login(
            ctx,
            t,
            event_type="login_failed",
            device_id=device,
            model_index=model,
            ip_address=ip,
            ip_country=country,
        )
        t += int(rng.integers(15, 90))
    story.login(
        ctx,
        t,
        device_id=device,
        model_index=model,
        ip_address=ip,
        ip_country=country,
        evidence=True,
    )
    t += int(rng.integers(120, 900))
    changes = ["password_change", "2fa_change"] + (["email_change"] if rng.random() < 0.5 else [])
    for change in changes:
        story.login(
            ctx,
            t,
            event_type=change,
            device_id=device,
            model_index=model,
            ip_address=ip,
            ip_country=country,
            evidence=True,
        )
        t += int(rng.integers(30, 300))
    t += int(rng.integers(1800, 5 * 3600))
    usd = max(ctx.income_usd * rng.uniform(1.5, 4.0), rng.uniform(1_500, 6_000))
    story.transaction(
        ctx,
        clamp(ctx, t),
        "crypto_withdrawal",
        asset="USDT",
        chain="tron",
        usd_amount=usd,
        counterparty=new_address(ctx, "tron"),
        evidence=True,
    )
    t += int(rng.integers(6 * 3600, 14 * 3600))
    story.ticket(ctx, clamp(ctx, t), "account_locked_2fa", evidence=True)

    if night:
        story.flags.append("unusual_hour_login")
    if foreign:
        story.flags.append("new_country_or_impossible_travel")
    where = f"from {country}" if foreign else "from a local IP address"
    story.explanation = (
        f"A new {('night-time ' if night else '')}login {where} on an unknown device, after "
        f"failed attempts, changed the password and 2FA and withdrew about USD {usd:,.0f} "
        "to a first-time address; the real customer then wrote that they cannot log in. "
        "Classic phishing takeover: escalate to security at once."
    )
    return story


def sim_swap(ctx: StoryContext) -> Story:
    """Write a SIM swap: the phone number moves, OTPs go to the attacker, funds leave."""
    rng = ctx.rng
    story = Story(
        flags=[
            "credential_change",
            "new_device",
            "withdrawal_after_credential_change",
            "large_withdrawal_new_address",
        ],
        explanation="",
    )
    device, model = new_device(ctx)
    ip = new_ip(ctx)
    home = str(ctx.customer["country"])
    night = rng.random() < 0.8 - 0.6 * ctx.subtlety
    day = ctx.local_day_start(ctx.anchor)
    t = clamp(ctx, ctx.local_to_utc(day, night_hour(ctx) if night else usual_hour(ctx)))
    # The attacker resets the password by SMS OTP, so there are no failed logins first.
    story.login(
        ctx,
        t,
        event_type="phone_change",
        device_id=device,
        model_index=model,
        ip_address=ip,
        ip_country=home,
        evidence=True,
    )
    t += int(rng.integers(60, 600))
    story.login(
        ctx,
        t,
        event_type="password_change",
        device_id=device,
        model_index=model,
        ip_address=ip,
        ip_country=home,
        evidence=True,
    )
    t += int(rng.integers(30, 300))
    story.login(ctx, t, device_id=device, model_index=model, ip_address=ip, ip_country=home)
    withdrawals = 1 if ctx.subtlety > 0.6 else int(rng.integers(2, 4))
    total = 0.0
    asset, chain = ("USDT", "tron") if rng.random() < 0.7 else ("ETH", "ethereum")
    for _ in range(withdrawals):
        t += int(rng.integers(10 * 60, 90 * 60))
        usd = max(ctx.income_usd * rng.uniform(0.8, 2.0), rng.uniform(800, 3_000))
        total += usd
        story.transaction(
            ctx,
            clamp(ctx, t),
            "crypto_withdrawal",
            asset=asset,
            chain=chain,
            usd_amount=usd,
            counterparty=new_address(ctx, chain),
            evidence=True,
        )
    # The real customer notices that the phone has no signal and writes the next morning.
    t += int(rng.integers(5 * HOUR, 16 * HOUR))
    story.ticket(ctx, clamp(ctx, t), "account_locked_2fa", evidence=True)
    if night:
        story.flags.append("unusual_hour_login")
    story.explanation = (
        "The phone number on the account was changed from a device never seen before, the "
        "password was reset by SMS a few minutes later and "
        f"{withdrawals} withdrawal(s), about USD {total:,.0f} in all, went to first-time "
        "addresses. Then the customer wrote that codes no longer arrive. A SIM swap: the "
        "attacker took over the number that receives the OTPs. Escalate to security at once."
    )
    return story


def credential_stuffing(ctx: StoryContext) -> Story:
    """Write credential stuffing: a burst of failed logins from many IPs, then a break-in."""
    rng = ctx.rng
    story = Story(
        flags=["failed_login_burst", "new_device", "new_country_or_impossible_travel"],
        explanation="",
    )
    device, model = new_device(ctx)
    country = pick_foreign_country(ctx)
    day = ctx.local_day_start(ctx.anchor)
    t = clamp(ctx, ctx.local_to_utc(day, usual_hour(ctx, 4.0)))
    attempts = ctx.count(subtle=(5, 9), obvious=(8, 25))
    for i in range(attempts):
        story.login(
            ctx,
            t,
            event_type="login_failed",
            device_id=device,
            model_index=model,
            ip_address=new_ip(ctx),
            ip_country=country,
            evidence=i < 3,
        )
        t += int(rng.integers(3, 120))
    story.login(
        ctx,
        t,
        device_id=device,
        model_index=model,
        ip_address=new_ip(ctx),
        ip_country=country,
        evidence=True,
    )
    # The account has a withdrawal-address lock, so the attacker's tries to new addresses fail.
    tries = int(rng.integers(3, 6))
    t += int(rng.integers(120, 900))
    usd = max(ctx.income_usd * rng.uniform(1.0, 3.0), rng.uniform(1_000, 4_000))
    for _ in range(tries):
        story.transaction(
            ctx,
            clamp(ctx, t),
            "crypto_withdrawal",
            asset="USDT",
            chain="tron",
            usd_amount=usd * rng.uniform(0.9, 1.0),
            status="failed",
            failure_reason="address_invalid",
            counterparty=new_address(ctx, "tron"),
            evidence=True,
        )
        t += int(rng.integers(20, 240))
    story.flags.append("failed_tx_burst")
    drained = rng.random() < 0.6
    if drained:
        t += int(rng.integers(30 * 60, 3 * HOUR))
        story.transaction(
            ctx,
            clamp(ctx, t),
            "crypto_withdrawal",
            asset="USDT",
            chain="tron",
            usd_amount=usd * rng.uniform(0.5, 0.8),
            counterparty=new_address(ctx, "tron"),
            evidence=True,
        )
        story.flags.append("large_withdrawal_new_address")
    outcome = (
        "and one smaller withdrawal to a new address went through"
        if drained
        else "but none went through"
    )
    story.explanation = (
        f"{attempts} failed logins within minutes from as many IP addresses in {country}, "
        "then a successful login on an unknown device. Withdrawals to new addresses were "
        f"tried {tries} times {outcome}. Leaked passwords tried in bulk (credential "
        "stuffing): escalate to security and force a password reset."
    )
    return story


def dormant_takeover(ctx: StoryContext) -> Story:
    """Write the takeover of a dormant account: first login in months, new e-mail, drain."""
    rng = ctx.rng
    story = Story(
        flags=[
            "dormant_reactivation",
            "new_device",
            "credential_change",
            "withdrawal_after_credential_change",
            "large_withdrawal_new_address",
        ],
        explanation="",
    )
    device, model = new_device(ctx)
    foreign = rng.random() < 0.7 - 0.6 * ctx.subtlety
    country = pick_foreign_country(ctx) if foreign else str(ctx.customer["country"])
    # The last login before the window lies 90 to 400 days back, and after the signup.
    # The days are drawn whether or not the column exists, so the story stays the same.
    idle_days = int(rng.integers(DORMANT_DAYS, 400))
    if "last_login_at" in ctx.population.customers.columns:
        signup = int(pd.Timestamp(ctx.customer["signup_at"]).timestamp())
        last_login = max(ctx.window.start - idle_days * DAY, signup + DAY)
        story.customer_updates["last_login_at"] = pd.Timestamp(last_login, unit="s", tz="UTC")
    ip = new_ip(ctx)
    day = ctx.local_day_start(ctx.anchor)
    t = clamp(ctx, ctx.local_to_utc(day, usual_hour(ctx, 5.0)))
    story.login(
        ctx,
        t,
        device_id=device,
        model_index=model,
        ip_address=ip,
        ip_country=country,
        evidence=True,
    )
    t += int(rng.integers(120, 1200))
    story.login(
        ctx,
        t,
        event_type="email_change",
        device_id=device,
        model_index=model,
        ip_address=ip,
        ip_country=country,
        evidence=True,
    )
    t += int(rng.integers(2 * HOUR, 20 * HOUR))
    asset, chain = ("BTC", "bitcoin") if rng.random() < 0.5 else ("ETH", "ethereum")
    # Holdings bought years ago: the balance is worth several months of declared income.
    usd = ctx.income_usd * rng.uniform(3.0, 12.0)
    story.transaction(
        ctx,
        clamp(ctx, t),
        "crypto_withdrawal",
        asset=asset,
        chain=chain,
        usd_amount=usd,
        counterparty=new_address(ctx, chain),
        evidence=True,
    )
    if foreign:
        story.flags.append("new_country_or_impossible_travel")
    story.explanation = (
        "An account with no activity for months logged in on a new device "
        f"{'from ' + country if foreign else 'from a local IP address'}, changed the e-mail "
        f"address and withdrew the whole {asset} balance, about USD {usd:,.0f}, to a "
        "first-time address. A dormant account taken over: escalate to security."
    )
    return story


TAKEOVER_TYPOLOGIES = (
    Typology(
        name="account_takeover",
        kind="suspicious",
        title="Account takeover after phishing",
        flags=(
            "new_device",
            "unusual_hour_login",
            "new_country_or_impossible_travel",
            "credential_change",
            "withdrawal_after_credential_change",
            "large_withdrawal_new_address",
        ),
        expected_action="escalate_security",
        expected_priority="P1",
        summary="Stolen credentials: a new device logs in, changes credentials and drains "
        "the account to a new address.",
        inject=account_takeover,
        segments=("mobile_daily", "regular_saver", "active_trader", "salary_saver"),
        fatf_categories=("senders_and_recipients", "size_and_frequency"),
    ),
    Typology(
        name="sim_swap",
        kind="suspicious",
        title="SIM swap",
        flags=(
            "credential_change",
            "new_device",
            "withdrawal_after_credential_change",
            "large_withdrawal_new_address",
            "unusual_hour_login",
        ),
        expected_action="escalate_security",
        expected_priority="P1",
        summary="The phone number is moved to the attacker's SIM; SMS codes reset the password "
        "and funds leave within the hour.",
        inject=sim_swap,
        segments=("mobile_daily", "regular_saver", "salary_saver", "active_trader"),
        fatf_categories=("senders_and_recipients",),
    ),
    Typology(
        name="credential_stuffing",
        kind="suspicious",
        title="Credential stuffing",
        flags=(
            "failed_login_burst",
            "new_device",
            "new_country_or_impossible_travel",
            "failed_tx_burst",
            "large_withdrawal_new_address",
        ),
        expected_action="escalate_security",
        expected_priority="P1",
        summary="Leaked passwords tried in bulk from many IPs; a break-in tries to withdraw "
        "past the address lock.",
        inject=credential_stuffing,
        fatf_categories=("senders_and_recipients", "anonymity"),
    ),
    Typology(
        name="dormant_takeover",
        kind="suspicious",
        title="Dormant account takeover",
        flags=(
            "dormant_reactivation",
            "new_device",
            "credential_change",
            "withdrawal_after_credential_change",
            "large_withdrawal_new_address",
            "new_country_or_impossible_travel",
        ),
        expected_action="escalate_security",
        expected_priority="P1",
        summary="A long-silent account wakes up on a new device, changes its e-mail and "
        "empties its holdings.",
        inject=dormant_takeover,
        segments=("dormant_holder",),
        fatf_categories=("transaction_patterns", "senders_and_recipients"),
    ),
)
