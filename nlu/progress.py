"""Progress of a long training job, reported as (what is being done, share of the whole done).

A share rather than a step count lets each stage weight its parts by their cost, so the
estimate a progress bar derives from it holds for the whole job, not only the current stage.
"""

from collections.abc import Callable

Report = Callable[[str, float], None]


def silent(what: str, done: float) -> None:
    """The default: nobody is watching."""


def part(report: Report, start: float, end: float, prefix: str = "") -> Report:
    """A stage that covers [start, end] of its parent's job, its descriptions prefixed."""
    return lambda what, done: report(f"{prefix}{what}", start + (end - start) * min(max(done, 0.0), 1.0))
