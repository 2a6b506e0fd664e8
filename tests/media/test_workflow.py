"""The analysts' workflow on a post (siaga.media.workflow): every transition of
``choices.TRANSITIONS`` allowed and every other one refused, the analyst's labels a verdict
records, actions (a verdict first; a counter-narrative needs its link), the timeline and audit
trail of every step, two analysts at once, and who may act: Diskominfo's analysts (a liaison of
an AgencyKind.KOMINFO agency) and the secretariat act in their scope; leadership and other
liaisons read; a field monitor or a user out of scope does not see the post.

Posts are made directly with their labels, so no test depends on the text model.
"""

import pytest

from siaga.accounts.choices import AgencyKind, Role
from siaga.core.audit import AuditContext
from siaga.core.errors import PermissionDenied
from siaga.core.models import AuditEvent
from siaga.media import workflow
from siaga.media.choices import TRANSITIONS, EventKind, ReviewStatus
from siaga.media.errors import MediaError
from siaga.media.ingest import label_key
from siaga.media.models import Post, PostEvent, Source
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db

ALL_PAIRS = [(a, b) for a in ReviewStatus.values for b in ReviewStatus.values]


@pytest.fixture
def people(world):
    """The actors of the workflow: who acts, who reads, who sees nothing."""
    kominfo = AgencyFactory(code="diskominfo", name="Diskominfo Kutim", kind=AgencyKind.KOMINFO)
    polres = AgencyFactory(code="polres", name="Polres Kutim", kind=AgencyKind.POLRI)

    def person(username, role, scope, agency=world.agency):
        return UserFactory(username=username, role=role, agency=agency, scope=scope)

    return {
        "analyst": person("analis", Role.ANALYST, [world.regency]),
        "analyst2": person("analis-2", Role.ANALYST, [world.regency]),
        "kominfo": person("kominfo", Role.LIAISON, [world.regency], kominfo),
        "leader": person("pimpinan", Role.LEADERSHIP, [world.regency]),
        "polres": person("polres", Role.LIAISON, [world.regency], polres),
        "monitor": person("pemantau", Role.FIELD_MONITOR, [world.desa_a1]),
        "busang": person("analis-busang", Role.ANALYST, [world.kec_b]),
    }


def make_post(n=1, *, region="64.08.04", labels=("hoaks",), status=ReviewStatus.NEW):
    source, _ = Source.objects.get_or_create(
        slug="uji", defaults={"name": "Uji", "kind": "webhook", "region_id": "64.08"}
    )
    from siaga.core import clock

    return Post.objects.create(
        source=source,
        platform="x",
        external_id=f"p{n}",
        text=f"Unggahan uji {n}",
        posted_at=clock.now(),
        labels=list(labels),
        label_key=label_key(labels),
        scores={lab: 0.9 for lab in labels},
        region_id=region,
        places=[region],
        status=status,
    )


def ctx(user):
    return AuditContext(actor=user, channel="test")


@pytest.mark.parametrize("start,to", ALL_PAIRS, ids=[f"{a}->{b}" for a, b in ALL_PAIRS])
def test_every_transition_follows_the_table(people, start, to):
    post = make_post(status=start)
    if to == ReviewStatus.ACTED and start in TRANSITIONS and to in TRANSITIONS[start]:
        PostEvent.objects.create(post=post, at=post.posted_at, kind=EventKind.ACTION,
                                 action="lapor_platform")  # fmt: skip
    if to in TRANSITIONS[start]:
        moved = workflow.post_transition(post, to=to, context=ctx(people["analyst"]))
        assert moved.status == to
        assert Post.objects.get(pk=post.pk).status == to
    else:
        with pytest.raises(MediaError) as refused:
            workflow.post_transition(post, to=to, context=ctx(people["analyst"]))
        assert refused.value.field == "status"
        assert Post.objects.get(pk=post.pk).status == start
        assert not PostEvent.objects.filter(post=post, kind=EventKind.STATUS).exists()


def test_ditindaklanjuti_needs_a_recorded_action(people):
    post = make_post(status=ReviewStatus.HOAX)
    with pytest.raises(MediaError, match="tindakan"):
        workflow.post_transition(post, to=ReviewStatus.ACTED, context=ctx(people["analyst"]))
    assert Post.objects.get(pk=post.pk).status == ReviewStatus.HOAX


@pytest.mark.parametrize(
    "model_labels,verdict,expected",
    [
        (("provokasi",), ReviewStatus.HOAX, ["hoaks", "provokasi"]),  # hoaks added
        (("hoaks", "sara"), ReviewStatus.NOT_HOAX, ["sara"]),  # hoaks removed
        (("hoaks", "sara"), ReviewStatus.UNVERIFIABLE, ["hoaks", "sara"]),  # kept as they are
        ((), ReviewStatus.NOT_HOAX, []),  # "none of the labels" is training data too
    ],
)
def test_a_verdict_records_the_model_labels_adjusted_by_default(
    people, model_labels, verdict, expected
):
    post = make_post(labels=model_labels)
    moved = workflow.post_transition(post, to=verdict, context=ctx(people["analyst"]))
    stored = Post.objects.get(pk=post.pk)
    assert moved.analyst_labels == stored.analyst_labels == expected
    assert stored.reviewed_by == people["analyst"] and stored.reviewed_at is not None


def test_explicit_labels_are_recorded_and_a_hoax_verdict_adds_hoaks(people):
    post = make_post(labels=("politik",))
    workflow.post_transition(
        post, to=ReviewStatus.HOAX, context=ctx(people["analyst"]), labels=["sara", "sara"]
    )
    assert Post.objects.get(pk=post.pk).analyst_labels == ["hoaks", "sara"]
    other = make_post(2, labels=("hoaks",))
    workflow.post_transition(
        other, to=ReviewStatus.NOT_HOAX, context=ctx(people["analyst"]), labels=["kasar"]
    )
    assert Post.objects.get(pk=other.pk).analyst_labels == ["kasar"]


def test_bukan_hoaks_with_the_hoaks_label_is_refused(people):
    post = make_post()
    with pytest.raises(MediaError) as refused:
        workflow.post_transition(
            post, to=ReviewStatus.NOT_HOAX, context=ctx(people["analyst"]), labels=["hoaks"]
        )
    assert refused.value.field == "labels"
    stored = Post.objects.get(pk=post.pk)
    assert stored.status == ReviewStatus.NEW and stored.analyst_labels is None


def test_unknown_labels_and_statuses_are_refused(people):
    post = make_post()
    with pytest.raises(MediaError) as refused:
        workflow.post_transition(
            post, to=ReviewStatus.HOAX, context=ctx(people["analyst"]), labels=["gosip"]
        )
    assert refused.value.field == "labels" and "gosip" in str(refused.value)
    with pytest.raises(MediaError):
        workflow.post_transition(post, to="dihapus", context=ctx(people["analyst"]))
    assert Post.objects.get(pk=post.pk).status == ReviewStatus.NEW


def test_checking_is_not_a_verdict_and_records_no_labels(people):
    post = make_post()
    workflow.post_transition(post, to=ReviewStatus.CHECKING, context=ctx(people["analyst"]))
    stored = Post.objects.get(pk=post.pk)
    assert stored.analyst_labels is None and stored.reviewed_by is None


# --- actions ----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [ReviewStatus.NEW, ReviewStatus.CHECKING, ReviewStatus.DONE])
def test_an_action_needs_a_verdict_first(people, status):
    post = make_post(status=status)
    with pytest.raises(MediaError) as refused:
        workflow.post_act(post, action="lapor_platform", context=ctx(people["analyst"]))
    assert refused.value.field == "action"
    assert not PostEvent.objects.filter(post=post).exists()


@pytest.mark.parametrize(
    "verdict", [ReviewStatus.HOAX, ReviewStatus.NOT_HOAX, ReviewStatus.UNVERIFIABLE]
)
def test_an_action_after_a_verdict_moves_the_post_to_ditindaklanjuti(people, verdict):
    post = make_post()
    workflow.post_transition(post, to=verdict, context=ctx(people["analyst"]))
    event = workflow.post_act(
        post, action="rujuk_polisi", context=ctx(people["analyst"]), note="pidana"
    )
    assert event.kind == EventKind.ACTION and event.action == "rujuk_polisi"
    assert Post.objects.get(pk=post.pk).status == ReviewStatus.ACTED
    # a second action on an acted post is recorded without another status change
    workflow.post_act(post, action="lapor_kominfo", context=ctx(people["analyst"]))
    statuses = PostEvent.objects.filter(post=post, kind=EventKind.STATUS)
    assert [e.status_to for e in statuses] == [verdict, ReviewStatus.ACTED]
    assert PostEvent.objects.filter(post=post, kind=EventKind.ACTION).count() == 2
    workflow.post_transition(post, to=ReviewStatus.DONE, context=ctx(people["analyst"]))
    assert Post.objects.get(pk=post.pk).status == ReviewStatus.DONE


def test_a_counter_narrative_needs_its_link(people):
    post = make_post(status=ReviewStatus.HOAX)
    with pytest.raises(MediaError) as refused:
        workflow.post_act(post, action="kontra_narasi", context=ctx(people["analyst"]))
    assert refused.value.field == "link"
    with pytest.raises(MediaError) as refused:
        workflow.post_act(post, action="kontra_narasi", context=ctx(people["analyst"]),
                          link="javascript:alert(1)")  # fmt: skip
    assert refused.value.field == "link"
    with pytest.raises(MediaError):
        workflow.post_act(post, action="hapus_akun", context=ctx(people["analyst"]))
    assert not PostEvent.objects.filter(post=post).exists()
    event = workflow.post_act(post, action="kontra_narasi", context=ctx(people["analyst"]),
                              link=" https://kominfo.kutaitimur.go.id/klarifikasi/1 ")  # fmt: skip
    assert event.link == "https://kominfo.kutaitimur.go.id/klarifikasi/1"


# --- the trail ---------------------------------------------------------------------------------


def test_every_step_leaves_an_event_and_an_audit_with_before_and_after(people):
    post = make_post(labels=("provokasi",))
    analyst = people["analyst"]
    workflow.post_transition(post, to=ReviewStatus.CHECKING, context=ctx(analyst), note="cek")
    workflow.post_transition(post, to=ReviewStatus.HOAX, context=ctx(analyst))
    workflow.post_act(post, action="kontra_narasi", context=ctx(analyst),
                      link="https://contoh.id/kontra")  # fmt: skip
    workflow.post_link_debunk(post, debunk=None, context=ctx(analyst), note="tidak ada")
    events = list(PostEvent.objects.filter(post=post).order_by("pk"))
    assert [(e.kind, e.status_to) for e in events] == [
        (EventKind.STATUS, ReviewStatus.CHECKING),
        (EventKind.STATUS, ReviewStatus.HOAX),
        (EventKind.ACTION, ""),
        (EventKind.STATUS, ReviewStatus.ACTED),
        (EventKind.DEBUNK, ""),
    ]
    assert all(e.actor == analyst for e in events) and events[0].note == "cek"
    audits = list(AuditEvent.objects.filter(action__startswith="media.post_").order_by("pk"))
    assert [a.action for a in audits] == [
        "media.post_status",
        "media.post_status",
        "media.post_action",
        "media.post_debunk",
    ]
    verdict = audits[1]
    assert verdict.before["status"] == ReviewStatus.CHECKING
    assert verdict.before["analyst_labels"] is None
    assert verdict.after["status"] == ReviewStatus.HOAX
    assert verdict.after["analyst_labels"] == ["hoaks", "provokasi"]
    assert audits[2].before["status"] == ReviewStatus.HOAX
    assert audits[2].after["status"] == ReviewStatus.ACTED
    assert audits[2].after["link"] == "https://contoh.id/kontra"
    assert all(a.region_code == "64.08.04" for a in audits)


def test_a_refused_step_leaves_no_trace(people):
    post = make_post()
    audits = AuditEvent.objects.count()
    with pytest.raises(MediaError):
        workflow.post_transition(post, to=ReviewStatus.DONE, context=ctx(people["analyst"]))
    with pytest.raises(MediaError):
        workflow.post_act(post, action="lapor_platform", context=ctx(people["analyst"]))
    assert AuditEvent.objects.count() == audits
    assert not PostEvent.objects.filter(post=post).exists()


def test_two_analysts_at_once_the_second_sees_the_moved_status(people):
    """Both opened the post while it was new; the first verdict wins, the second is refused
    because the status is read again under the row lock, not taken from the stale copy."""
    first_copy = make_post()
    second_copy = Post.objects.get(pk=first_copy.pk)
    workflow.post_transition(first_copy, to=ReviewStatus.HOAX, context=ctx(people["analyst"]))
    assert second_copy.status == ReviewStatus.NEW  # what the second analyst still sees
    with pytest.raises(MediaError) as refused:
        workflow.post_transition(
            second_copy, to=ReviewStatus.NOT_HOAX, context=ctx(people["analyst2"])
        )
    assert "Hoaks terkonfirmasi" in str(refused.value)  # the status it has now
    stored = Post.objects.get(pk=first_copy.pk)
    assert stored.status == ReviewStatus.HOAX and stored.reviewed_by == people["analyst"]
    assert PostEvent.objects.filter(post=stored, kind=EventKind.STATUS).count() == 1
    # the same verdict twice is refused too: one decision, one event
    with pytest.raises(MediaError):
        workflow.post_transition(second_copy, to=ReviewStatus.HOAX, context=ctx(people["analyst2"]))
    assert PostEvent.objects.filter(post=stored).count() == 1


# --- who acts ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["analyst", "kominfo"])
def test_diskominfo_and_the_secretariat_act(people, who):
    post = make_post()
    workflow.post_transition(post, to=ReviewStatus.HOAX, context=ctx(people[who]))
    workflow.post_act(post, action="lapor_platform", context=ctx(people[who]))
    assert Post.objects.get(pk=post.pk).status == ReviewStatus.ACTED


@pytest.mark.parametrize("who", ["leader", "polres", "monitor", "busang"])
def test_readers_monitors_and_users_out_of_scope_may_not_act(people, who):
    post = make_post(status=ReviewStatus.HOAX)
    audits = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        workflow.post_transition(post, to=ReviewStatus.DONE, context=ctx(people[who]))
    with pytest.raises(PermissionDenied):
        workflow.post_act(post, action="lapor_platform", context=ctx(people[who]))
    with pytest.raises(PermissionDenied):
        workflow.post_link_debunk(post, debunk=None, context=ctx(people[who]))
    assert Post.objects.get(pk=post.pk).status == ReviewStatus.HOAX
    assert AuditEvent.objects.count() == audits


def test_the_scope_of_a_post_is_its_region(people):
    """The Busang analyst acts on a Busang post, not on one of Sangatta Utara."""
    busang_post = make_post(1, region="64.08.06.2001")
    workflow.post_transition(busang_post, to=ReviewStatus.CHECKING, context=ctx(people["busang"]))
    assert Post.objects.get(pk=busang_post.pk).status == ReviewStatus.CHECKING
