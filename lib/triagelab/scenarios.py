"""Scenario files: YAML that describes a synthetic population, its stories and its cases."""

from __future__ import annotations

import datetime as dt
import logging
import math
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from triagelab.exceptions import ScenarioError

logger = logging.getLogger(__name__)

COUNTRY_CODES: tuple[str, ...] = ("SG", "MY", "TH", "VN", "ID", "PH")
SEGMENTS: tuple[str, ...] = (
    "mobile_daily",
    "salary_saver",
    "regular_saver",
    "active_trader",
    "dormant_holder",
    "p2p_user",
)
DEFAULT_SEGMENT_SHARES: dict[str, float] = {
    "mobile_daily": 0.35,
    "salary_saver": 0.15,
    "regular_saver": 0.15,
    "active_trader": 0.15,
    "dormant_holder": 0.10,
    "p2p_user": 0.10,
}
SHARE_TOLERANCE = 1e-6


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_shares(shares: dict[str, float], allowed: tuple[str, ...], what: str) -> None:
    for key, share in shares.items():
        if key not in allowed:
            raise ValueError(f"unknown {what} `{key}`; allowed: {', '.join(allowed)}")
        if share < 0:
            raise ValueError(f"share of `{key}` is {share}; shares must be 0 or more")
    total = sum(shares.values())
    if not math.isclose(total, 1.0, abs_tol=SHARE_TOLERANCE):
        raise ValueError(f"shares sum to {total:g}; they must sum to 1")


class TypologyMix(_Strict):
    """How many cases of one typology the scenario injects, and how subtle they are."""

    name: str
    count: int = Field(ge=0)
    subtlety: float = Field(default=0.3, ge=0.0, le=1.0)

    @field_validator("name")
    @classmethod
    def _known_typology(cls, name: str) -> str:
        from triagelab.synthetic.typologies import TYPOLOGIES

        if name not in TYPOLOGIES:
            raise ValueError(f"unknown typology `{name}`; allowed: {', '.join(sorted(TYPOLOGIES))}")
        return name


class CaseMix(_Strict):
    """The case queue: typology cases plus plain baseline customers ("noise")."""

    noise: int = Field(default=0, ge=0)
    typologies: tuple[TypologyMix, ...] = ()

    @property
    def total(self) -> int:
        """Number of cases in the queue."""
        return self.noise + sum(mix.count for mix in self.typologies)


class VolatilityEpisode(_Strict):
    """A market move: the asset's price changes by `move` (a fraction) over `hours`."""

    asset: str
    start: dt.date
    hours: int = Field(default=12, gt=0)
    move: float = Field(default=-0.15, ge=-0.9, le=2.0)


class CongestionWindow(_Strict):
    """A window in which a chain is congested: withdrawals are slow and fail more often."""

    chain: str
    start: dt.date
    hours: int = Field(default=6, gt=0)


class MarketSettings(_Strict):
    """Market events the scenario names."""

    volatility: tuple[VolatilityEpisode, ...] = ()
    congestion: tuple[CongestionWindow, ...] = ()


class Scenario(_Strict):
    """A validated scenario.

    Every field of the YAML file is checked here; `load_scenario` turns a failure into one
    `ScenarioError` line that names the file, the field path, the value and what is allowed.
    """

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: str
    description: str = ""
    seed: int = Field(default=0, ge=0)
    start_date: dt.date
    days: int = Field(gt=0, le=366)
    customers: int = Field(gt=0)
    countries: dict[str, float]
    segments: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_SEGMENT_SHARES))
    cases: CaseMix
    market: MarketSettings = MarketSettings()

    @field_validator("countries")
    @classmethod
    def _country_shares(cls, shares: dict[str, float]) -> dict[str, float]:
        _check_shares(shares, COUNTRY_CODES, "country")
        return shares

    @field_validator("segments")
    @classmethod
    def _segment_shares(cls, shares: dict[str, float]) -> dict[str, float]:
        _check_shares(shares, SEGMENTS, "segment")
        return shares

    @model_validator(mode="after")
    def _feasible(self) -> Scenario:
        if self.cases.total > self.customers:
            raise ValueError(
                f"the scenario asks for {self.cases.total} cases but has only "
                f"{self.customers} customers; lower the case counts or raise `customers`"
            )
        if self.cases.total == 0:
            raise ValueError("the scenario has no cases; give `cases.noise` or a typology count")
        from triagelab.synthetic.typologies import infeasible_typologies

        problems = infeasible_typologies(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def end_date(self) -> dt.date:
        """First day after the scenario's window."""
        return self.start_date + dt.timedelta(days=self.days)

    def with_overrides(
        self, *, seed: int | None = None, customers: int | None = None, days: int | None = None
    ) -> Scenario:
        """Return a copy with the command-line overrides applied and validated again."""
        data = self.model_dump()
        if seed is not None:
            data["seed"] = seed
        if customers is not None:
            data["customers"] = customers
        if days is not None:
            data["days"] = days
        return parse_scenario(data, source="command-line overrides")


def _format_validation_error(err: ValidationError) -> tuple[str, str, Any]:
    first = err.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "(top level)"
    message = first["msg"].removeprefix("Value error, ")
    return field, message, first.get("input")


def parse_scenario(data: Any, *, source: str | Path = "<data>") -> Scenario:
    """Validate already-parsed scenario data.

    Raises
    ------
    ScenarioError
        With the source, the dotted field path, the value and what is allowed.
    """
    if not isinstance(data, dict):
        raise ScenarioError(
            f"expected a mapping of scenario fields, got {type(data).__name__}", path=source
        )
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        field, message, value = _format_validation_error(err)
        shown = value if not isinstance(value, dict | list) else type(value).__name__
        raise ScenarioError(
            f"{source}: field `{field}` (value {shown!r}): {message}",
            path=source,
            field=field,
            value=value,
        ) from err


class _TextDateLoader(yaml.SafeLoader):
    """A YAML loader that leaves dates as text.

    The scenario model then checks them and names the field: PyYAML itself raises a bare
    `ValueError` on a date such as 2026-02-30.
    """


_TextDateLoader.yaml_implicit_resolvers = {
    first: [entry for entry in entries if entry[0] != "tag:yaml.org,2002:timestamp"]
    for first, entries in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario YAML file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as err:
        raise ScenarioError(f"{path}: scenario file not found", path=path) from err
    except (IsADirectoryError, UnicodeDecodeError) as err:
        raise ScenarioError(f"{path}: not a readable YAML file ({err})", path=path) from err
    try:
        data = yaml.load(text, Loader=_TextDateLoader)
    except yaml.YAMLError as err:
        raise ScenarioError(f"{path}: invalid YAML: {err}".replace("\n", " "), path=path) from err
    scenario = parse_scenario(data, source=path)
    logger.info("loaded scenario %s from %s", scenario.id, path)
    return scenario


def bundled_scenarios_dir() -> Path:
    """Return the folder of bundled scenario files.

    A source checkout keeps them in `scenarios/` at the top level; an installed package
    carries a copy under `triagelab/data/scenarios`.
    """
    checkout = Path(__file__).resolve().parents[2] / "scenarios"
    if checkout.is_dir():
        return checkout
    return Path(str(resources.files("triagelab") / "data" / "scenarios"))


def list_bundled() -> dict[str, Path]:
    """Return the bundled scenarios by id, sorted by id."""
    found = {path.stem: path for path in bundled_scenarios_dir().glob("*.yaml")}
    return dict(sorted(found.items()))


def resolve_scenario(name_or_path: str | Path) -> Scenario:
    """Load a bundled scenario by name, or a scenario file by path."""
    bundled = list_bundled()
    if str(name_or_path) in bundled:
        return load_scenario(bundled[str(name_or_path)])
    path = Path(name_or_path)
    if path.suffix in {".yaml", ".yml"} or path.exists():
        return load_scenario(path)
    raise ScenarioError(
        f"scenario `{name_or_path}` is neither a bundled scenario ({', '.join(bundled)}) "
        "nor an existing YAML file",
        value=str(name_or_path),
    )
