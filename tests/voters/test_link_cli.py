"""``siaga voters link``: the search over the stored roll from the command line."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from siaga.voters.models import DuplicatePair, JobStatus, LinkageRun, PairStatus
from tests.voters.review_world import RollWorld


@pytest.fixture
def roll(db):
    return RollWorld()


def _pair(a, b):
    left, right = sorted((a.pk, b.pk))
    return DuplicatePair.objects.filter(voter_l_id=left, voter_r_id=right).first()


def test_link_fills_the_review_queue_and_reports_what_it_found(roll):
    out = io.StringIO()
    call_command("voters", "link", stdout=out, stderr=io.StringIO())
    run = LinkageRun.objects.get()
    assert run.status == JobStatus.DONE and run.voters == 50
    pair = _pair(roll.siti, roll.siti_copy)
    assert pair is not None and pair.status == PairStatus.SUSPECTED
    assert f"{run.pairs_found} pasangan" in out.getvalue()
    assert _pair(roll.nur1, roll.nur2) is None, "twins are two people"


def test_link_refuses_a_threshold_outside_zero_to_one(roll):
    with pytest.raises(CommandError):
        call_command("voters", "link", "--threshold", "1.5")
    assert not LinkageRun.objects.exists()
