"""The calendar periods of the tallies: where each starts and where the next one does."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from service.tallies.models import Period, next_period_start, period_start


@pytest.mark.parametrize("period", list(Period))
def test_the_next_period_starts_the_day_after_the_last_day_of_this_one(period: Period) -> None:
    day = date(2023, 1, 1)
    while day < date(2026, 1, 1):
        following = next_period_start(period, day)

        assert following > day
        assert period_start(period, following) == following, "it is the first day of a period"
        assert period_start(period, following - timedelta(days=1)) == period_start(period, day), "nothing between"
        day += timedelta(days=1)


@pytest.mark.parametrize(
    ("period", "day", "following"),
    [
        (Period.WEEK, date(2024, 12, 31), date(2025, 1, 6)),
        (Period.MONTH, date(2024, 12, 15), date(2025, 1, 1)),
        (Period.MONTH, date(2024, 2, 29), date(2024, 3, 1)),
        (Period.QUARTER, date(2024, 11, 30), date(2025, 1, 1)),
        (Period.QUARTER, date(2024, 8, 1), date(2024, 10, 1)),
        (Period.YEAR, date(2024, 6, 1), date(2025, 1, 1)),
    ],
)
def test_the_next_period_across_a_year_end_and_a_leap_day(period: Period, day: date, following: date) -> None:
    assert next_period_start(period, day) == following
