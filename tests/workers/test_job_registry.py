"""Every job type a module declares has a handler in the worker, and its arguments survive the trip through the
queue: a job requested but never registered would wait in Redis forever."""

from __future__ import annotations

import importlib
import pkgutil
import uuid

import pytest

import service
from service.kit.jobs import DECLARED, JobType, NoArguments
from service.moderation.jobs import CHECK, Subject
from service.moderation.models import SubjectKind
from service.tallies.jobs import RECOMPUTE, Recompute
from workers.settings import JOBS, functions


def _declared() -> set[str]:
    for module in pkgutil.walk_packages(service.__path__, "service."):
        importlib.import_module(module.name)
    return set(DECLARED)


def test_every_declared_job_type_has_exactly_one_handler() -> None:
    registered = [job.name for job in JOBS]
    assert sorted(registered) == sorted(set(registered))
    assert set(registered) == _declared()
    assert {function.name for function in functions()} == _declared()


def test_arguments_are_encoded_once_and_decoded_to_their_types() -> None:
    subject = Subject(SubjectKind.COMMENT, uuid.uuid4())
    job = CHECK(subject)
    assert (job.name, job.args, job.key) == (
        "moderation.check",
        ("comment", str(subject.id)),
        f"moderation.check:comment:{subject.id}",
    )
    assert CHECK.decode(job.args) == subject
    assert CHECK(subject, collapse=False).key is None
    assert RECOMPUTE(Recompute()).args == ()
    assert RECOMPUTE.decode(()) == Recompute()


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("survey", str(uuid.uuid4())), "validation error"),
        (("idea", "not-a-uuid"), "validation error"),
        (("idea",), "validation error"),
        (("idea", str(uuid.uuid4()), "x"), "takes at most 2 arguments"),
    ],
)
def test_unusable_arguments_are_refused(args: tuple[str, ...], error: str) -> None:
    with pytest.raises(ValueError, match=error):
        CHECK.decode(args)


@pytest.mark.parametrize("name", ["Surveys.compute", "compute_results", "surveys.compute-results"])
def test_a_job_name_reads_domain_dot_verb(name: str) -> None:
    with pytest.raises(ValueError, match=r"domain\.verb"):
        JobType(name, NoArguments)


def test_a_job_name_is_declared_once() -> None:
    with pytest.raises(ValueError, match="declared twice"):
        JobType("moderation.check", Subject)
