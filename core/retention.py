"""The retention policy: personal data older than RETENTION_DAYS is anonymised, statistics kept.

Each app that holds personal data registers a step in its AppConfig.ready(); the
`apply_retention` command runs them in registration order (INSTALLED_APPS order: lower apps
first), which is why a step must only touch what is past the cut-off *and* no longer needed by
a higher app (e.g. a citizen only once none of their cases is still kept).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

RETENTION_ACTOR = "retention policy"


@dataclass(frozen=True)
class RetentionStep:
    name: str  # what is anonymised, e.g. "closed cases"
    order: int  # lower runs first
    run: Callable[..., int]  # run(cutoff=, dry_run=) -> how many records (would be) anonymised


_steps: list[RetentionStep] = []


def register_retention_step(name: str, run: Callable[..., int], *, order: int) -> None:
    if all(step.name != name for step in _steps):
        _steps.append(RetentionStep(name=name, order=order, run=run))


def retention_steps() -> list[RetentionStep]:
    return sorted(_steps, key=lambda step: step.order)


def retention_apply(*, cutoff: datetime, dry_run: bool = False) -> dict[str, int]:
    """Run every step; returns {step name: records anonymised (or that would be)}."""
    return {step.name: step.run(cutoff=cutoff, dry_run=dry_run) for step in retention_steps()}
