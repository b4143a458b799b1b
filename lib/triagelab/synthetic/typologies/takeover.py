"""Account-compromise stories: the customer is not the one acting."""

from __future__ import annotations

from triagelab.synthetic.typologies.base import Story, StoryContext, Typology
from triagelab.synthetic.typologies.helpers import (
    clamp,
    new_address,
    new_device,
    new_ip,
    pick_foreign_country,
)


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
)
