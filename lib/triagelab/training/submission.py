"""Submission files: the exchange format between the trainee app and grading."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from triagelab.exceptions import SubmissionError
from triagelab.vocab import ACTIONS, FLAG_NAMES, PRIORITIES

logger = logging.getLogger(__name__)

SUBMISSION_SCHEMA = "triagelab.submission/1"


class Decision(BaseModel):
    """One trainee decision on one case."""

    model_config = ConfigDict(extra="forbid")

    case_id: str
    flags: list[str] = Field(default_factory=list)
    action: str
    priority: str
    confidence: float = Field(ge=0.0, le=1.0)
    rationale: str = ""
    opened_at: str | None = None
    decided_at: str | None = None

    @field_validator("flags")
    @classmethod
    def _known_flags(cls, flags: list[str]) -> list[str]:
        unknown = [flag for flag in flags if flag not in FLAG_NAMES]
        if unknown:
            raise ValueError(f"unknown flag `{unknown[0]}`; see `triagelab flags` for the list")
        return sorted(set(flags))

    @field_validator("action")
    @classmethod
    def _known_action(cls, action: str) -> str:
        if action not in ACTIONS:
            raise ValueError(f"unknown action `{action}`; allowed: {', '.join(ACTIONS)}")
        return action

    @field_validator("priority")
    @classmethod
    def _known_priority(cls, priority: str) -> str:
        if priority not in PRIORITIES:
            raise ValueError(f"unknown priority `{priority}`; allowed: {', '.join(PRIORITIES)}")
        return priority


class Submission(BaseModel):
    """Everything one trainee handed in for one exercise."""

    model_config = ConfigDict(extra="forbid")

    schema_: Literal["triagelab.submission/1"] = Field(
        default="triagelab.submission/1", alias="schema"
    )
    exercise: str
    trainee: str = Field(min_length=1)
    dataset_fingerprint: str
    decisions: list[Decision] = Field(default_factory=list)
    submitted: bool = False

    def decision_for(self, case_id: str) -> Decision | None:
        """Return the trainee's decision on a case, if any."""
        return next((d for d in self.decisions if d.case_id == case_id), None)

    def to_json(self) -> str:
        """Return the submission as JSON text in the exchange format."""
        return self.model_dump_json(by_alias=True, indent=2) + "\n"


def atomic_write_text(path: Path, text: str) -> None:
    """Write a file so that readers see either the old or the new content, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def load_submission(path: str | Path) -> Submission:
    """Read and validate a submission file.

    Raises
    ------
    SubmissionError
        Naming the file and what is wrong with it.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise SubmissionError(f"{path}: submission file not found", path=path) from err
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise SubmissionError(
            f"{path}: not valid JSON ({err}); the file is corrupt or truncated", path=path
        ) from err
    if isinstance(data, dict) and data.get("schema") != SUBMISSION_SCHEMA:
        raise SubmissionError(
            f"{path}: schema {data.get('schema')!r}, expected {SUBMISSION_SCHEMA!r}",
            path=path,
            field="schema",
            value=data.get("schema"),
        )
    try:
        return Submission.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        raise SubmissionError(
            f"{path}: field `{field}`: {message}", path=path, field=field, value=first.get("input")
        ) from err


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive `flock` on `path` (created if missing) for the duration of the block.

    Two app sessions of the same trainee, in one kernel or in several, then take turns to
    read, change and rewrite the submission file instead of overwriting each other.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


class SubmissionStore:
    """A trainee's submission file, rewritten atomically after every decision.

    Every write happens under the lock file `<file>.lock` and starts from the file on disk,
    so decisions saved by another session of the same trainee are kept, not overwritten.
    When each case was first opened is kept beside it in `<trainee>.opened`, so the queue
    still shows opened cases after a reload. That file is not a submission: grading reads
    `*.json` only, and a decision carries its case's `opened_at` itself.
    """

    def __init__(self, path: str | Path, *, exercise: str, trainee: str, fingerprint: str) -> None:
        self.path = Path(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.exercise = exercise
        self.trainee = trainee
        self.fingerprint = fingerprint
        self.opened_path = self.path.with_suffix(".opened")
        self.submission = self._read()
        self.opened_at = self._read_opened()
        if self.submission.decisions:
            logger.info("resumed %s with %d decisions", self.path, len(self.submission.decisions))

    def _read(self) -> Submission:
        if not self.path.exists():
            return Submission(
                exercise=self.exercise, trainee=self.trainee, dataset_fingerprint=self.fingerprint
            )
        submission = load_submission(self.path)
        if submission.dataset_fingerprint != self.fingerprint:
            raise SubmissionError(
                f"{self.path}: saved for dataset {submission.dataset_fingerprint}, but this "
                f"bundle is {self.fingerprint}; move the old file away to start afresh",
                path=self.path,
                field="dataset_fingerprint",
            )
        if submission.trainee != self.trainee:
            raise SubmissionError(
                f"{self.path}: belongs to trainee `{submission.trainee}`, not `{self.trainee}`",
                path=self.path,
                field="trainee",
            )
        return submission

    def _read_opened(self) -> dict[str, str]:
        if not self.opened_path.exists():
            return {}
        try:
            data = json.loads(self.opened_path.read_text(encoding="utf-8"))
            fingerprint = data["dataset_fingerprint"]
            opened = data["opened_at"]
            valid = isinstance(opened, dict) and all(
                isinstance(case, str) and isinstance(at, str) for case, at in opened.items()
            )
        except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError) as err:
            raise SubmissionError(
                f"{self.opened_path}: not a valid list of opened cases ({err}); move the file "
                "away to start the opened marks afresh",
                path=self.opened_path,
            ) from err
        if not valid:
            raise SubmissionError(
                f"{self.opened_path}: `opened_at` must map case ids to ISO 8601 times; move the "
                "file away to start the opened marks afresh",
                path=self.opened_path,
                field="opened_at",
            )
        if fingerprint != self.fingerprint:
            raise SubmissionError(
                f"{self.opened_path}: saved for dataset {fingerprint}, but this bundle is "
                f"{self.fingerprint}; move the old file away to start afresh",
                path=self.opened_path,
                field="dataset_fingerprint",
            )
        return dict(opened)

    def mark_opened(self, case_id: str, at: str) -> str:
        """Record when a case was first opened, keep an earlier time, and return the kept one.

        The file is rewritten atomically under the submission's lock and merged with the
        times other sessions of the trainee wrote, so no opened mark is lost.
        """
        if case_id in self.opened_at:
            return self.opened_at[case_id]
        with file_lock(self.lock_path):
            opened = self._read_opened()
            opened.setdefault(case_id, at)
            document = {
                "trainee": self.trainee,
                "dataset_fingerprint": self.fingerprint,
                "opened_at": opened,
            }
            atomic_write_text(self.opened_path, json.dumps(document, indent=1) + "\n")
            self.opened_at = opened
        return opened[case_id]

    def reload(self) -> Submission:
        """Read the file again, for decisions saved by another session of the trainee."""
        self.submission = self._read()
        return self.submission

    def save(self, decision: Decision) -> None:
        """Record a decision, replacing an earlier one on the same case, and write the file."""
        with file_lock(self.lock_path):
            current = self._read()
            decisions = [d for d in current.decisions if d.case_id != decision.case_id]
            decisions.append(decision)
            self.submission = current.model_copy(update={"decisions": decisions})
            atomic_write_text(self.path, self.submission.to_json())
        logger.info("saved decision on %s for %s", decision.case_id, self.trainee)

    def finish(self) -> None:
        """Mark the submission as handed in."""
        with file_lock(self.lock_path):
            current = self._read()
            self.submission = current.model_copy(update={"submitted": True})
            atomic_write_text(self.path, self.submission.to_json())
        logger.info("%s handed in %d decisions", self.trainee, len(self.submission.decisions))
