"""Spike alerts (siaga.media.alerts) on a controlled clock: a narrative with a quiet day then a
burst in the last hours fires once, not again on the next batch within the window; a flat one
or a harmless one does not; a kecamatan suddenly named with provocation or hate fires a place
alert; alerts go to Diskominfo's liaisons and the secretariat covering the place (inbox rows),
never to leadership or to users out of scope; acknowledging is audited, and only once.

Posts are made directly with their labels, so the text model plays no part.
"""

import datetime as dt

import pytest

from siaga.accounts.choices import AgencyKind, Role
from siaga.core import clock
from siaga.core.audit import AuditContext
from siaga.core.models import AuditEvent, Deployment
from siaga.media import alerts
from siaga.media.choices import AlertKind
from siaga.media.errors import MediaError
from siaga.media.ingest import label_key
from siaga.media.models import MediaAlert, Narrative, Post, Source
from siaga.notifications.models import Notification
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2024, 11, 24, 4, 0, tzinfo=dt.UTC)  # 12:00 WITA


@pytest.fixture
def deployment(world):
    return Deployment.objects.create(
        regency=world.regency,
        election_name="Pilkada Kutai Timur 2024",
        voting_day=dt.date(2024, 11, 27),
        clock_offset_seconds=clock.offset_for(NOW),
    )


@pytest.fixture
def at(deployment):
    """``at(hours=..)``: set the deployment clock to NOW + the delta."""

    def move(**delta) -> dt.datetime:
        deployment.clock_offset_seconds = clock.offset_for(NOW + dt.timedelta(**delta))
        deployment.save(update_fields=["clock_offset_seconds"])
        clock.clear_cache()
        return clock.now()

    move()
    return move


@pytest.fixture
def source(world):
    return Source.objects.create(name="Uji", slug="uji", kind="webhook", region_id="64.08")


class Posts:
    def __init__(self, source):
        self.source, self.n = source, 0

    def add(self, hours_ago: float, *, labels=("provokasi",), region="64.08.04",
            narrative=None, debunk=None) -> Post:  # fmt: skip
        self.n += 1
        when = clock.now() - dt.timedelta(hours=hours_ago)
        post = Post.objects.create(
            source=self.source,
            platform="x",
            external_id=f"a{self.n}",
            text=f"Unggahan {self.n}",
            posted_at=when,
            labels=list(labels),
            label_key=label_key(labels),
            region_id=region,
            places=[region],
            narrative=narrative,
            debunk=debunk,
        )
        if narrative is not None:
            Narrative.objects.filter(pk=narrative.pk).update(
                post_count=narrative.posts.count(), last_seen=max(narrative.last_seen, when)
            )
            narrative.refresh_from_db()
        return post


@pytest.fixture
def posts(source):
    return Posts(source)


def narrative(region="64.08.06") -> Narrative:
    now = clock.now()
    return Narrative.objects.create(
        title="Ayo kumpul tutup jalan", signature=b"", first_seen=now - dt.timedelta(days=1),
        last_seen=now - dt.timedelta(days=1), region_id=region,
    )  # fmt: skip


def quiet_then_burst(posts, narr, *, labels=("provokasi",), burst=8) -> None:
    for hours_ago in (22, 15, 8):  # a quiet day: three posts in 24 hours
        posts.add(hours_ago, labels=labels, narrative=narr, region="64.08.06.2001")
    for k in range(burst):  # then a burst in the last three hours
        posts.add(0.2 + k * 0.3, labels=labels, narrative=narr, region="64.08.06.2001")


def test_a_narrative_bursting_after_a_quiet_day_fires_once(at, posts):
    narr = narrative()
    quiet_then_burst(posts, narr)
    raised = alerts.detect(narrative_ids=[narr.pk])
    assert [a.kind for a in raised] == [AlertKind.NARRATIVE_SPIKE]
    alert = raised[0]
    assert alert.narrative == narr and alert.region_id == "64.08.06"
    assert alert.observed == 8 and alert.p_value < 0.01
    assert AuditEvent.objects.filter(action="media.alert_raised").count() == 1
    # the next batch, an hour later and still within the window, adds posts: no second alert
    at(hours=1)
    for k in range(4):
        posts.add(0.1 * k, narrative=narr, region="64.08.06.2001")
    assert alerts.detect(narrative_ids=[narr.pk]) == []
    assert MediaAlert.objects.filter(kind=AlertKind.NARRATIVE_SPIKE).count() == 1


def test_a_new_burst_after_the_window_fires_again(at, posts):
    narr = narrative()
    quiet_then_burst(posts, narr)
    assert len(alerts.detect(narrative_ids=[narr.pk])) == 1
    at(hours=30)  # a day later, the narrative was quiet, then bursts again
    for k in range(8):
        posts.add(0.2 + k * 0.3, narrative=narr, region="64.08.06.2001")
    assert len(alerts.detect(narrative_ids=[narr.pk])) == 1
    assert MediaAlert.objects.filter(narrative=narr).count() == 2


def test_a_flat_narrative_does_not_fire(at, posts):
    narr = narrative()
    for hours_ago in range(0, 27):  # one post an hour, every hour: its usual pace
        posts.add(hours_ago + 0.5, narrative=narr, region="64.08.06.2001")
    assert alerts.detect(narrative_ids=[narr.pk]) == []
    assert not MediaAlert.objects.exists()


def test_a_harmless_narrative_going_viral_does_not_fire(at, posts):
    narr = narrative()
    quiet_then_burst(posts, narr, labels=("politik",))
    assert alerts.detect(narrative_ids=[narr.pk], region_codes=["64.08.06.2001"]) == []


def test_a_harmless_text_repeating_a_known_hoax_fires(at, posts):
    """No harmful label, but every post matches a debunk: a resurfacing hoax is harmful."""
    from siaga.media.models import Debunk

    debunk = Debunk.objects.create(claim="Klaim lama", verdict="salah", date=dt.date(2024, 1, 1))
    narr = narrative()
    for hours_ago in (22, 15, 8, *[0.2 + k * 0.3 for k in range(8)]):
        posts.add(hours_ago, labels=(), narrative=narr, region="64.08.06.2001", debunk=debunk)
    assert len(alerts.detect(narrative_ids=[narr.pk])) == 1


def test_a_burst_below_the_minimum_does_not_fire(at, posts):
    narr = narrative()
    quiet_then_burst(posts, narr, burst=4)  # SIAGA_MEDIA_SPIKE_MIN_POSTS is 5
    assert alerts.detect(narrative_ids=[narr.pk]) == []


def test_a_kecamatan_suddenly_named_with_provocation_fires_a_place_alert(at, posts):
    for k, label in enumerate(["provokasi", "sara", "ujaran_kebencian"] * 2):
        posts.add(0.2 + k * 0.4, labels=(label,), region="64.08.06.2001")
    raised = alerts.detect(region_codes=["64.08.06.2001"])
    assert [(a.kind, a.region_id, a.observed) for a in raised] == [
        (AlertKind.PLACE_SURGE, "64.08.06", 6)
    ]
    assert raised[0].narrative is None
    # the next batch within the window: no second alert for the kecamatan
    posts.add(0.1, labels=("sara",), region="64.08.06.2002")
    assert alerts.detect(region_codes=["64.08.06.2002"]) == []


def test_a_place_named_with_hoaxes_or_abuse_only_is_no_place_alert(at, posts):
    """The place alert is about hate and provocation (INFLAMMATORY), not any harmful label."""
    for k in range(8):
        posts.add(0.2 + k * 0.3, labels=("hoaks", "kasar"), region="64.08.04")
    assert alerts.detect(region_codes=["64.08.04"]) == []


def test_a_place_always_named_with_provocation_is_no_surge(at, posts):
    for hours_ago in range(0, 27):
        posts.add(hours_ago + 0.5, labels=("provokasi",), region="64.08.04")
    assert alerts.detect(region_codes=["64.08.04"]) == []


# --- recipients, acknowledgement -------------------------------------------------------------


@pytest.fixture
def people(world):
    kominfo = AgencyFactory(code="diskominfo", name="Diskominfo Kutim", kind=AgencyKind.KOMINFO)

    def person(username, role, scope, agency=world.agency):
        return UserFactory(username=username, role=role, agency=agency, scope=scope)

    return {
        "analyst": person("analis", Role.ANALYST, [world.regency]),
        "admin-busang": person("admin-busang", Role.ADMIN, [world.kec_b]),
        "kominfo-busang": person("kominfo-busang", Role.LIAISON, [world.kec_b], kominfo),
        "kominfo-sangatta": person("kominfo-sangatta", Role.LIAISON, [world.kec_a], kominfo),
        "analyst-sangatta": person("analis-sangatta", Role.ANALYST, [world.kec_a]),
        "analyst-paser": person("analis-paser", Role.ANALYST, [world.other_regency]),
        "leader": person("pimpinan", Role.LEADERSHIP, [world.regency]),
        "kesbangpol": person("kesbangpol", Role.LIAISON, [world.regency]),
        "monitor": person("pemantau", Role.FIELD_MONITOR, [world.desa_b1]),
    }


def test_alerts_go_to_diskominfo_and_the_secretariat_covering_the_place(at, posts, people):
    for k in range(6):
        posts.add(0.2 + k * 0.4, labels=("provokasi",), region="64.08.06.2001")
    (alert,) = alerts.detect(region_codes=["64.08.06.2001"])
    told = Notification.objects.filter(kind="media.alert", object_id=str(alert.pk))
    assert {n.recipient.username for n in told} == {"analis", "admin-busang", "kominfo-busang"}
    assert all(n.urgent for n in told)  # a place named with provocation is urgent


def test_acknowledging_is_audited_and_happens_once(at, posts, people):
    for k in range(6):
        posts.add(0.2 + k * 0.4, labels=("sara",), region="64.08.06.2001")
    (alert,) = alerts.detect(region_codes=["64.08.06.2001"])
    moment = at(minutes=20)
    done = alerts.alert_acknowledge(alert, context=AuditContext(actor=people["analyst"]))
    assert done.acknowledged_by == people["analyst"]
    assert dt.timedelta(0) <= done.acknowledged_at - moment < dt.timedelta(minutes=1)
    audit = AuditEvent.objects.get(action="media.alert_acknowledged")
    assert audit.actor == people["analyst"]
    assert audit.region_code == "64.08.06"
    with pytest.raises(MediaError):
        alerts.alert_acknowledge(alert, context=AuditContext(actor=people["kominfo-busang"]))
    alert.refresh_from_db()
    assert alert.acknowledged_by == people["analyst"]
    assert AuditEvent.objects.filter(action="media.alert_acknowledged").count() == 1
