"""Alert rule sets: YAML files naming behavioural signals with thresholds and weights."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from triagelab.exceptions import InputError
from triagelab.vocab import FLAG_NAMES, PRIORITIES

logger = logging.getLogger(__name__)

RULES_SCHEMA = "triagelab.rules/1"
DEFAULT_RULES = Path(__file__).resolve().parents[3] / "scenarios" / "rules" / "default.yaml"


class RulesError(InputError):
    """A rule file that cannot be loaded or names an unknown detector."""


class Rule(BaseModel):
    """One named behavioural signal: a detector with its window, threshold and weight."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    flag: str
    window: str | None = None
    threshold: float = Field(ge=0)
    weight: float = Field(ge=0)
    enabled: bool = True
    options: dict[str, Any] = Field(default_factory=dict)

    @field_validator("flag")
    @classmethod
    def _check_flag(cls, flag: str) -> str:
        if flag not in FLAG_NAMES:
            raise ValueError(f"unknown flag {flag!r}; flags are {', '.join(FLAG_NAMES)}")
        return flag

    @field_validator("window")
    @classmethod
    def _check_window(cls, window: str | None) -> str | None:
        if window is not None:
            try:
                pd.Timedelta(window)
            except ValueError as err:
                raise ValueError(f"{window!r} is not a duration such as 30min, 24h or 7D") from err
        return window

    @property
    def window_delta(self) -> pd.Timedelta:
        """Window as a Timedelta; rules without a window look at the whole dataset."""
        return pd.Timedelta(self.window) if self.window else pd.Timedelta.max


class RuleSet(BaseModel):
    """A rule file: the rules, how scores map to priorities, and the staffing it assumes."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    schema_: str = Field(alias="schema")
    id: str
    agents: int = Field(ge=1, description="Agents who work alerts each day.")
    alert_threshold: float = Field(gt=0, description="Minimum weighted score that raises an alert.")
    priorities: dict[str, float]
    rules: tuple[Rule, ...] = Field(min_length=1)

    @field_validator("schema_")
    @classmethod
    def _check_schema(cls, schema: str) -> str:
        if schema != RULES_SCHEMA:
            raise ValueError(f"schema {schema!r}, expected {RULES_SCHEMA!r}")
        return schema

    @field_validator("priorities")
    @classmethod
    def _check_priorities(cls, cutoffs: dict[str, float]) -> dict[str, float]:
        unknown = set(cutoffs) - set(PRIORITIES[:-1])
        if unknown:
            raise ValueError(
                f"priority cutoffs {sorted(unknown)} are not allowed; give minimum scores for "
                f"{', '.join(PRIORITIES[:-1])} ({PRIORITIES[-1]} takes the rest)"
            )
        ordered = [cutoffs[p] for p in PRIORITIES[:-1] if p in cutoffs]
        if ordered != sorted(ordered, reverse=True):
            raise ValueError("priority cutoffs must fall from P1 to P3")
        return cutoffs

    @model_validator(mode="after")
    def _check_unique_ids(self) -> RuleSet:
        ids = [rule.id for rule in self.rules]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"rule ids must be unique; repeated: {', '.join(duplicates)}")
        return self

    @property
    def enabled(self) -> tuple[Rule, ...]:
        """Rules that raise alerts."""
        return tuple(rule for rule in self.rules if rule.enabled)

    def priority(self, score: float) -> str:
        """Return the priority of an alert with `score`."""
        for name in PRIORITIES[:-1]:
            if name in self.priorities and score >= self.priorities[name]:
                return name
        return PRIORITIES[-1]


def load_rules(path: str | Path | None = None) -> RuleSet:
    """Load and validate a rule file; the bundled default rules when `path` is None.

    Raises
    ------
    RulesError
        Naming the file, the field and what is allowed.
    """
    source = Path(path) if path is not None else DEFAULT_RULES
    if not source.is_file():
        raise RulesError(f"{source}: rule file not found", path=source)
    try:
        raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise RulesError(f"{source}: invalid YAML ({err})".replace("\n", " "), path=source) from err
    if not isinstance(raw, dict):
        raise RulesError(
            f"{source}: expected a mapping with schema, id, agents and rules", path=source
        )
    try:
        rules = RuleSet.model_validate(raw)
    except ValidationError as err:
        first = err.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise RulesError(
            f"{source}: field `{field}`: {first['msg']}", path=source, field=field
        ) from err
    logger.info("loaded %d rules from %s", len(rules.rules), source)
    return rules
