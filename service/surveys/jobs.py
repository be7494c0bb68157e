"""Surveys' jobs: recomputing a survey's results, closing surveys that are due."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from service.kit.jobs import JobType, NoArguments


@dataclass(frozen=True)
class SurveyRef:
    survey_id: uuid.UUID


# Answers (and a close) sent within one such window are one recomputation, started when the window ends.
RESULTS_WINDOW_SECONDS = 1.0

COMPUTE_RESULTS = JobType(
    "surveys.compute_results",
    SurveyRef,
    key=lambda survey: str(survey.survey_id),
    window_seconds=RESULTS_WINDOW_SECONDS,
)
CLOSE_DUE = JobType("surveys.close_due", NoArguments)
