"""The retention policy: personal data older than RETENTION_DAYS is anonymised, statistics kept.

Each app that holds personal data registers a step in its AppConfig.ready(); the
`apply_retention` command runs them in the reverse order of the app dependencies (INSTALLED_APPS
lists lower apps first): higher apps first, so that a lower app's step — the citizen record —
runs once the cases and feedback that still keep it have had their turn. A step must only touch
what is past the cut-off *and* no longer needed by a higher app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.apps import apps

from core.registry import Registry

RETENTION_ACTOR = "retention policy"


@dataclass(frozen=True)
class RetentionStep:
    name: str  # what is anonymised, e.g. "closed cases"
    run: Callable[..., int]  # run(cutoff=, dry_run=) -> how many records (would be) anonymised

    def __call__(self, **kwargs: object) -> int:
        return self.run(**kwargs)


_steps: Registry[RetentionStep] = Registry("retention steps")


def register_retention_step(name: str, run: Callable[..., int]) -> None:
    if all(step.name != name for step in _steps):
        _steps.register(RetentionStep(name=name, run=run))


def _app_rank(step: RetentionStep) -> int:
    """Position of the step's app in INSTALLED_APPS (lower apps first)."""
    config = apps.get_containing_app_config(step.run.__module__)
    labels = [c.label for c in apps.get_app_configs()]
    return labels.index(config.label) if config is not None else -1


def retention_steps() -> list[RetentionStep]:
    """Higher apps' steps first, the lowest app's (citizens) last."""
    return sorted(_steps, key=_app_rank, reverse=True)


def retention_apply(*, cutoff: datetime, dry_run: bool = False) -> dict[str, int]:
    """Run every step; returns {step name: records anonymised (or that would be)}."""
    return {step.name: step.run(cutoff=cutoff, dry_run=dry_run) for step in retention_steps()}
