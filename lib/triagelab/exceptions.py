"""Exception hierarchy: every error the package raises on purpose derives from `TriagelabError`."""

from __future__ import annotations

from pathlib import Path
from typing import Any


class TriagelabError(Exception):
    """Base class of every error raised on purpose by triagelab."""


class InputError(TriagelabError, ValueError):
    """Invalid input from a user: a file, a parameter or a command-line value.

    The command line reports these in one line and exits with code 2.

    Parameters
    ----------
    message
        What is wrong and what is allowed.
    path
        File the value came from, if any.
    field
        Dotted path of the field or the name of the parameter, if any.
    value
        The offending value, if any.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        field: str | None = None,
        value: Any = None,
    ) -> None:
        super().__init__(message)
        self.path = Path(path) if path is not None else None
        self.field = field
        self.value = value

    def __str__(self) -> str:
        message = super().__str__()
        if self.path is not None and str(self.path) not in message:
            return f"{self.path}: {message}"
        return message


class ScenarioError(InputError):
    """A scenario file that cannot be loaded or asks for something impossible."""


class DatasetError(InputError):
    """A built dataset or bundle that is missing, incomplete or does not match its manifest."""


class SubmissionError(InputError):
    """A submission file that is corrupt or does not fit the exercise it is graded against."""


class ParameterError(InputError):
    """A report or notebook parameter with an invalid value."""


class SchemaError(InputError):
    """A table that does not match its documented schema."""


class GenerationError(TriagelabError):
    """Generated rows failed a check: a fault in triagelab, not in the scenario."""
