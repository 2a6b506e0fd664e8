"""The analysts' workflow on a post, after Meedan Check.

belum ditinjau → sedang diperiksa → hoaks terkonfirmasi / bukan hoaks / tidak dapat
diverifikasi → ditindaklanjuti (actions recorded: report to the platform or to Kominfo, a
counter-narrative published with its link, a referral to the police) → selesai.

Only users with ``Action.TRIAGE_MEDIA`` in the post's region may act (Diskominfo's analysts and
the secretariat); everyone else reads. Every step is a ``PostEvent`` on the post's timeline and
an audit event, in one transaction; the post row is locked and its status checked again inside
it, so two analysts acting at once cannot both win. A verdict also records the analyst's labels,
which become training data for the next model (``siaga media retrain``).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from siaga.core import clock
from siaga.core.audit import AuditContext, audit_record
from siaga.core.errors import PermissionDenied
from siaga.core.permissions import Action, can
from siaga.media.choices import (
    ACTIONS_NEEDING_LINK,
    TRANSITIONS,
    VERDICTS,
    ActionKind,
    EventKind,
    Label,
    ReviewStatus,
)
from siaga.media.errors import MediaError
from siaga.media.models import Debunk, Post, PostEvent


def _guard(user, post: Post) -> None:
    if not can(user, Action.TRIAGE_MEDIA, post.region_id):
        raise PermissionDenied(_("Anda tidak berwenang meninjau unggahan ini."))


def _state(post: Post) -> dict:
    return {
        "status": post.status,
        "verdict": post.verdict,
        "analyst_labels": post.analyst_labels,
        "debunk_id": post.debunk_id,
    }


def _check_labels(labels) -> list[str]:
    chosen = sorted(set(labels or ()))
    unknown = [lab for lab in chosen if lab not in Label.values]
    if unknown:
        raise MediaError(
            _("Label tidak dikenal: %(labels)s") % {"labels": ", ".join(unknown)}, field="labels"
        )
    return chosen


def post_transition(
    post: Post,
    *,
    to: str,
    context: AuditContext,
    note: str = "",
    labels: list[str] | None = None,
) -> Post:
    """Move ``post`` to status ``to``; a verdict may carry the analyst's labels (by default the
    model's labels, with hoaks added or removed to agree with the verdict)."""
    user = context.actor
    _guard(user, post)
    if to not in ReviewStatus.values:
        raise MediaError(_("Status tidak dikenal."), field="status")
    chosen = _check_labels(labels) if labels is not None else None
    with transaction.atomic():
        locked = Post.objects.select_for_update().get(pk=post.pk)
        if to not in TRANSITIONS[locked.status]:
            raise MediaError(
                _("Unggahan berstatus %(now)s tidak dapat diubah menjadi %(to)s.")
                % {
                    "now": locked.get_status_display(),
                    "to": ReviewStatus(to).label,
                },
                field="status",
            )
        if to == ReviewStatus.ACTED and not locked.events.filter(kind=EventKind.ACTION).exists():
            raise MediaError(
                _("Catat dulu tindakan yang diambil sebelum menandai ditindaklanjuti."),
                field="status",
            )
        before = _state(locked)
        old = locked.status
        locked.status = to
        if to in VERDICTS:
            if chosen is None:
                chosen = set(locked.labels)
                if to == ReviewStatus.HOAX:
                    chosen.add(Label.HOAKS)
                elif to == ReviewStatus.NOT_HOAX:
                    chosen.discard(Label.HOAKS)
                chosen = sorted(str(c) for c in chosen)
            elif to == ReviewStatus.HOAX and Label.HOAKS not in chosen:
                chosen = sorted([*chosen, Label.HOAKS])
            elif to == ReviewStatus.NOT_HOAX and Label.HOAKS in chosen:
                raise MediaError(
                    _("Unggahan yang bukan hoaks tidak dapat berlabel hoaks."), field="labels"
                )
            locked.analyst_labels = chosen
            locked.verdict = to
            locked.reviewed_by = user
            locked.reviewed_at = clock.now()
        locked.save(
            update_fields=["status", "verdict", "analyst_labels", "reviewed_by", "reviewed_at"]
        )
        PostEvent.objects.create(
            post=locked,
            at=clock.now(),
            actor=user,
            kind=EventKind.STATUS,
            status_from=old,
            status_to=to,
            note=note.strip(),
        )
        audit_record(
            context=context,
            action="media.post_status",
            obj=locked,
            before=before,
            after=_state(locked) | {"note": note.strip()[:500]},
            region_code=locked.region_id,
        )
    return locked


def post_act(
    post: Post, *, action: str, context: AuditContext, note: str = "", link: str = ""
) -> PostEvent:
    """Record an action taken on a confirmed post (reported, countered, referred)."""
    _guard(context.actor, post)
    if action not in ActionKind.values:
        raise MediaError(_("Tindakan tidak dikenal."), field="action")
    link = link.strip()
    if action in ACTIONS_NEEDING_LINK and not link:
        raise MediaError(_("Sertakan tautan kontra-narasi yang diterbitkan."), field="link")
    if link and not link.startswith(("http://", "https://")):
        raise MediaError(_("Tautan harus diawali http:// atau https://."), field="link")
    with transaction.atomic():
        locked = Post.objects.select_for_update().get(pk=post.pk)
        if locked.status not in VERDICTS | {ReviewStatus.ACTED}:
            raise MediaError(
                _(
                    "Tentukan dulu hasil pemeriksaan (hoaks, bukan hoaks, atau tidak dapat "
                    "diverifikasi) sebelum mencatat tindakan."
                ),
                field="action",
            )
        event = PostEvent.objects.create(
            post=locked,
            at=clock.now(),
            actor=context.actor,
            kind=EventKind.ACTION,
            action=action,
            note=note.strip(),
            link=link,
        )
        before = _state(locked)
        if locked.status != ReviewStatus.ACTED:
            locked.status = ReviewStatus.ACTED
            locked.save(update_fields=["status"])
            PostEvent.objects.create(
                post=locked,
                at=event.at,
                actor=context.actor,
                kind=EventKind.STATUS,
                status_from=before["status"],
                status_to=ReviewStatus.ACTED,
            )
        audit_record(
            context=context,
            action="media.post_action",
            obj=locked,
            before=before,
            after=_state(locked) | {"action": action, "link": link, "note": note.strip()[:500]},
            region_code=locked.region_id,
        )
    return event


def post_link_debunk(
    post: Post, *, debunk: Debunk | None, context: AuditContext, note: str = ""
) -> Post:
    """Link the post to a debunk an analyst chose (or unlink it with ``None``)."""
    _guard(context.actor, post)
    with transaction.atomic():
        locked = Post.objects.select_for_update().get(pk=post.pk)
        before = _state(locked)
        locked.debunk = debunk
        locked.debunk_score = None
        locked.save(update_fields=["debunk", "debunk_score"])
        PostEvent.objects.create(
            post=locked,
            at=clock.now(),
            actor=context.actor,
            kind=EventKind.DEBUNK,
            note=note.strip(),
            link=debunk.source_url if debunk else "",
        )
        audit_record(
            context=context,
            action="media.post_debunk",
            obj=locked,
            before=before,
            after=_state(locked),
            region_code=locked.region_id,
        )
    return locked
