"""Early warning: the rules that raise alerts after each computation of the index.

* **Category rise.** A TPS, desa, kecamatan or the regency moves into a higher category than it
  had at the previous computation (a first computation raises nothing: there is no "before").
* **Rising trend.** Per kecamatan, the incidents reported in the last 24 hours (rejected and
  merged reports left out), and separately the posts flagged as hoax, provocation, SARA or hate
  naming a place in it, against the same count on each of the SIAGA_RISK_TREND_DAYS days
  before: a one-sided Poisson test (negative binomial when the days vary a lot), so a rise that
  is noise does not fire and a real one does (``siaga.engines.risk.trend``).
* **Cluster.** At least SIAGA_RISK_CLUSTER_MIN related incidents (same family of categories)
  within SIAGA_RISK_CLUSTER_KM km and SIAGA_RISK_CLUSTER_HOURS hours of each other in the last
  24 hours (``siaga.engines.risk.clusters``).

Each alert has a key so that a rule fires once for one thing; it goes to the agencies
responsible (in-app inbox and the user's channels) and is audited, and so is its
acknowledgement.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from siaga.accounts.choices import AgencyKind, Role
from siaga.accounts.models import User
from siaga.core import clock
from siaga.core.audit import AuditContext, audit_record
from siaga.core.errors import DomainError
from siaga.engines import risk as engine
from siaga.notifications.services import notify
from siaga.risk.choices import AlertKind, Category, Signal
from siaga.risk.models import RiskAlert
from siaga.wilayah.models import Region, Tps

K = AgencyKind
AGENCIES = {
    AlertKind.CATEGORY_UP: [K.PEMDA, K.POLRI, K.TNI, K.BAWASLU],
    (AlertKind.TREND, Signal.INCIDENTS): [K.PEMDA, K.POLRI, K.TNI, K.BAWASLU],
    (AlertKind.TREND, Signal.HOAXES): [K.PEMDA, K.KOMINFO, K.POLRI],
    AlertKind.CLUSTER: [K.PEMDA, K.POLRI, K.TNI, K.BAWASLU],
}
# Incidents are "related" when their categories belong to one family.
FAMILIES = {
    "kekerasan": "keamanan",
    "intimidasi": "keamanan",
    "politik-uang": "politik-uang",
    "pemilih-ganda": "hak-pilih",
    "netralitas": "netralitas",
    "kampanye-masa-tenang": "netralitas",
    "logistik": "logistik",
    "hoaks-lokal": "hoaks",
    "bencana-gangguan": "bencana",
}
COUNTED_STATES = ("diterima", "diverifikasi", "ditindaklanjuti", "selesai")
HARMFUL_LABELS = ("hoaks", "provokasi", "sara", "ujaran_kebencian")


def _ancestors(code: str) -> list[str]:
    parts = code.split(".")
    return [".".join(parts[:n]) for n in range(1, len(parts) + 1)]


def recipients(region_code: str, agency_kinds: list[str]) -> list[User]:
    """The secretariat and the liaisons and heads of the agencies responsible, whose scope
    covers the region."""
    who = Q(role__in=[Role.ANALYST, Role.ADMIN]) | Q(
        role__in=[Role.LIAISON, Role.LEADERSHIP], agency__kind__in=agency_kinds
    )
    covering = Q(is_superuser=True) | Q(scope_regions__code__in=_ancestors(region_code))
    return list(User.objects.filter(who, covering, is_active=True).distinct().order_by("pk"))


def _raise(
    *,
    kind: str,
    key: str,
    region_code: str,
    title: str,
    reason: str,
    now: dt.datetime,
    agencies: list[str],
    tps_id: int | None = None,
    signal: str = "",
    detail: dict | None = None,
    urgent: bool = False,
) -> RiskAlert | None:
    """Create the alert (its key has not fired yet); notify and audit it."""
    try:
        with transaction.atomic():
            alert = RiskAlert.objects.create(
                kind=kind,
                key=key,
                region_id=region_code,
                tps_id=tps_id,
                signal=signal,
                title=title[:200],
                reason=reason[:400],
                detail=detail or {},
                agency_kinds=[str(a) for a in agencies],
                fired_at=now,
            )
    except IntegrityError:  # another computation raised it a moment ago
        return None
    audit_record(
        context=AuditContext(channel="system"),
        action="risk.alert_raised",
        obj=alert,
        region_code=region_code,
        after={"kind": kind, "key": key, "signal": signal, "detail": alert.detail},
    )
    notify(
        recipients=recipients(region_code, alert.agency_kinds),
        kind="risk.alert",
        title=alert.title,
        body=alert.reason,
        url=reverse("risk:alerts"),
        urgent=urgent,
        obj=alert,
    )
    return alert


def fire_all(*, tps_rises, area_rises, scores, prefix: str, now: dt.datetime) -> list[RiskAlert]:
    """Run the three rules; raise the alerts whose key has not fired before (one query to know)."""
    candidates = [
        *_category_alerts(tps_rises, area_rises, scores, now),
        *_trend_alerts(prefix=prefix, now=now),
        *_cluster_alerts(prefix=prefix, now=now),
    ]
    fired_before = set(
        RiskAlert.objects.filter(key__in=[c["key"] for c in candidates]).values_list(
            "key", flat=True
        )
    )
    fired = [_raise(**c) for c in candidates if c["key"] not in fired_before]
    return [alert for alert in fired if alert is not None]


def _label(category: str) -> str:
    return str(Category(category).label)


def _category_alerts(tps_rises, area_rises, scores, now):
    """One alert per kecamatan and new category for its TPS that rose (listing them), and one
    per kecamatan or regency whose own category rose. Desa are left to their TPS."""
    day = clock.local_date(now).isoformat()
    stations = {
        t.pk: t
        for t in Tps.objects.filter(pk__in=[int(r.key) for r in tps_rises]).select_related("desa")
    }
    grouped: dict[tuple[str, str], list] = defaultdict(list)
    for rise in tps_rises:
        station = stations[int(rise.key)]
        grouped[(station.desa_id[:8], rise.after)].append((station, rise))
    area_rises = [r for r in area_rises if r.key.count(".") <= 2]
    codes = {kecamatan for kecamatan, _after in grouped} | {r.key for r in area_rises}
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    for (kecamatan, after), rows in sorted(grouped.items()):
        rows.sort(key=lambda row: -float(scores[row[0].pk]))
        listed = ", ".join(
            f"{s.label} {s.desa.name} ({float(scores[s.pk]):.0f})" for s, _r in rows[:10]
        )
        yield dict(
            kind=AlertKind.CATEGORY_UP,
            key=f"category:tps-in:{kecamatan}:{after}:{day}",
            region_code=kecamatan if len(rows) > 1 else rows[0][0].desa_id,
            tps_id=rows[0][0].pk if len(rows) == 1 else None,
            title=ngettext(
                "%(n)d TPS di %(area)s naik menjadi %(after)s",
                "%(n)d TPS di %(area)s naik menjadi %(after)s",
                len(rows),
            )
            % {"n": len(rows), "area": names.get(kecamatan, kecamatan), "after": _label(after)},
            reason=_("Naik kategori sejak perhitungan sebelumnya: %(tps)s.") % {"tps": listed},
            detail={
                "after": after,
                "tps": [
                    {"id": s.pk, "before": r.before, "score": round(float(scores[s.pk]), 1)}
                    for s, r in rows
                ],
            },
            now=now,
            agencies=AGENCIES[AlertKind.CATEGORY_UP],
            urgent=after == Category.SANGAT_RAWAN,
        )
    for rise in area_rises:
        yield dict(
            kind=AlertKind.CATEGORY_UP,
            key=f"category:area:{rise.key}:{rise.after}:{day}",
            region_code=rise.key,
            title=_("%(area)s naik menjadi %(after)s")
            % {"area": names.get(rise.key, rise.key), "after": _label(rise.after)},
            reason=_("Rata-rata skor TPS di wilayah ini naik dari %(before)s menjadi %(after)s.")
            % {"before": _label(rise.before), "after": _label(rise.after)},
            detail={"before": rise.before, "after": rise.after},
            now=now,
            agencies=AGENCIES[AlertKind.CATEGORY_UP],
            urgent=rise.after == Category.SANGAT_RAWAN,
        )


def _kecamatan_of(code: str) -> str | None:
    parts = code.split(".")
    return ".".join(parts[:3]) if len(parts) >= 3 else None


def _prefix_q(field_name: str, prefix: str) -> Q:
    if not prefix:
        return Q()
    return Q(**{field_name: prefix}) | Q(**{f"{field_name}__startswith": prefix + "."})


def _incident_times(prefix: str, since: dt.datetime, now: dt.datetime):
    from siaga.incidents.models import Incident

    return Incident.objects.filter(
        _prefix_q("region__code", prefix),
        state__in=COUNTED_STATES,
        occurred_at__gt=since,
        occurred_at__lte=now,
    ).values_list("region_id", "occurred_at")


def _hoax_times(prefix: str, since: dt.datetime, now: dt.datetime):
    from siaga.media.selectors import harmful_post_places

    return harmful_post_places(since=since, until=now, prefix=prefix)


def _trend_alerts(*, prefix: str, now: dt.datetime):
    from django.apps import apps

    days = settings.SIAGA_RISK_TREND_DAYS
    since = now - dt.timedelta(days=days + 1)
    sources = []
    if apps.is_installed("siaga.incidents"):
        sources.append((Signal.INCIDENTS, _incident_times))
    if apps.is_installed("siaga.media"):
        sources.append((Signal.HOAXES, _hoax_times))
    day = clock.local_date(now).isoformat()
    for signal, rows in sources:
        by_area: dict[str, list[dt.datetime]] = defaultdict(list)
        for code, at in rows(prefix, since, now):
            kecamatan = _kecamatan_of(code)
            if kecamatan:
                by_area[kecamatan].append(at)
        if not by_area:
            continue
        codes, counts = engine.daily_counts(by_area, end=now, days=days + 1)
        trend = engine.rising_trend(
            counts[:, -1],
            counts[:, :-1],
            alpha=settings.SIAGA_RISK_TREND_ALPHA,
            min_count=settings.SIAGA_RISK_TREND_MIN_COUNT,
        )
        names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
        for i in np.flatnonzero(trend.fires):
            code = codes[int(i)]
            what = _("insiden") if signal == Signal.INCIDENTS else _("unggahan hoaks/provokasi")
            yield dict(
                kind=AlertKind.TREND,
                key=f"trend:{signal}:{code}:{day}",
                region_code=code,
                signal=signal,
                title=_("%(what)s meningkat di %(area)s")
                % {"what": what.capitalize(), "area": names.get(code, code)},
                reason=_(
                    "%(observed)d %(what)s dalam 24 jam terakhir; biasanya %(expected).1f per "
                    "hari (uji Poisson satu sisi, p = %(p).4f)."
                )
                % {
                    "observed": int(trend.observed[i]),
                    "what": what,
                    "expected": float(trend.expected[i]),
                    "p": float(trend.p_value[i]),
                },
                detail={
                    "observed": int(trend.observed[i]),
                    "expected": round(float(trend.expected[i]), 3),
                    "p_value": float(trend.p_value[i]),
                    "baseline": [int(x) for x in counts[int(i), :-1]],
                },
                now=now,
                agencies=AGENCIES[(AlertKind.TREND, signal)],
            )


def _cluster_alerts(*, prefix: str, now: dt.datetime):
    from django.apps import apps

    if not apps.is_installed("siaga.incidents"):
        return
    from siaga.incidents.models import Incident

    rows = (
        Incident.objects.filter(
            _prefix_q("region__code", prefix),
            state__in=COUNTED_STATES,
            occurred_at__gt=now - dt.timedelta(hours=24),
            occurred_at__lte=now,
            category__code__in=list(FAMILIES),
        )
        .values_list(
            "pk", "ticket", "category__code", "occurred_at", "region_id",
            "lat", "lon", "tps__lat", "tps__lon", "region__lat", "region__lon",
        )
        .order_by("occurred_at", "pk")
    )  # fmt: skip
    events, where = [], {}
    for _pk, ticket, category, at, desa, *points in rows:
        lat, lon = next(((a, b) for a, b in zip(points[::2], points[1::2], strict=True)
                         if a is not None and b is not None), (None, None))  # fmt: skip
        if lat is None:
            continue
        events.append(engine.Event(ticket, lat, lon, at, FAMILIES[category]))
        where[ticket] = desa
    clusters = engine.incident_clusters(
        events,
        radius_km=settings.SIAGA_RISK_CLUSTER_KM,
        window_hours=settings.SIAGA_RISK_CLUSTER_HOURS,
        min_events=settings.SIAGA_RISK_CLUSTER_MIN,
    )
    area = {c.ids[0]: _kecamatan_of(where[c.ids[0]]) or where[c.ids[0]] for c in clusters}
    names = dict(Region.objects.filter(code__in=set(area.values())).values_list("code", "name"))
    for cluster in clusters:
        region = area[cluster.ids[0]]
        name = names.get(region)
        yield dict(
            kind=AlertKind.CLUSTER,
            key=f"cluster:{cluster.group}:{cluster.ids[0]}",
            region_code=region,
            title=_("%(n)d insiden %(group)s berdekatan di %(area)s")
            % {"n": len(cluster.ids), "group": cluster.group, "area": name or region},
            reason=_("Laporan %(tickets)s dalam radius %(km)s km, %(start)s–%(end)s.")
            % {
                "tickets": ", ".join(cluster.ids),
                "km": settings.SIAGA_RISK_CLUSTER_KM,
                "start": timezone.localtime(cluster.start).strftime("%d/%m %H:%M"),
                "end": timezone.localtime(cluster.end).strftime("%H:%M"),
            },
            detail={
                "tickets": list(cluster.ids),
                "group": cluster.group,
                "lat": cluster.lat,
                "lon": cluster.lon,
            },
            now=now,
            agencies=AGENCIES[AlertKind.CLUSTER],
            urgent=True,
        )


def may_acknowledge(user, alert: RiskAlert) -> bool:
    """The secretariat, or a liaison or head of an agency the alert went to, in scope."""
    from siaga.core.permissions import Action, can, user_scope

    if not can(user, Action.VIEW) or not user_scope(user).covers(alert.region_id):
        return False
    if user.is_superuser or user.role in (Role.ADMIN, Role.ANALYST):
        return True
    kind = user.agency.kind if user.agency_id else None
    return user.role in (Role.LIAISON, Role.LEADERSHIP) and kind in alert.agency_kinds


def alert_acknowledge(*, alert: RiskAlert, context: AuditContext) -> RiskAlert:
    with transaction.atomic():
        locked = RiskAlert.objects.select_for_update().get(pk=alert.pk)
        if locked.acknowledged_at is not None:
            raise DomainError(_("Peringatan ini sudah diterima."))
        locked.acknowledged_by = context.actor
        locked.acknowledged_at = clock.now()
        locked.save(update_fields=["acknowledged_by", "acknowledged_at"])
        audit_record(
            context=context,
            action="risk.alert_acknowledged",
            obj=locked,
            after={"acknowledged_at": locked.acknowledged_at},
            region_code=locked.region_id,
        )
    return locked
