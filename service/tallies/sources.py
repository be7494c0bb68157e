"""Every source of the participation tallies, as the domains declare them (`service/<domain>/tally_source.py`).

Each metric but `participants` has exactly one source, and every source names a metric: checked here, on import,
so that a source that is missing or misnamed stops the recompute from loading rather than leaving a figure out.
"""

from __future__ import annotations

from service.ideas.tally_source import SOURCES as IDEAS
from service.kit.tally_source import TallySource
from service.surveys.tally_source import SOURCES as SURVEYS
from service.tallies.models import Metric
from service.volunteering.tally_source import SOURCES as VOLUNTEERING


def collect(*groups: tuple[TallySource, ...]) -> tuple[tuple[Metric, TallySource], ...]:
    """The sources with their metrics, in the order of `Metric`; refuses unknown, repeated and missing metrics."""
    found: dict[Metric, TallySource] = {}
    known = {metric.value: metric for metric in Metric if metric is not Metric.PARTICIPANTS}
    for source in (source for group in groups for source in group):
        metric = known.get(source.metric)
        if metric is None:
            raise ValueError(f"a tally source names an unknown metric: {source.metric!r}")
        if metric in found:
            raise ValueError(f"two tally sources of {metric.value}")
        found[metric] = source
    missing = sorted(metric for metric in known.values() if metric not in found)
    if missing:
        raise ValueError(f"no tally source of {', '.join(missing)}")
    return tuple((metric, found[metric]) for metric in Metric if metric in found)


SOURCES = collect(IDEAS, SURVEYS, VOLUNTEERING)
