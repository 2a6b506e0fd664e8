"""TPS statuses shown on the map: one registry for the marker colours and the legend.

The foundation knows two statuses (an ordinary TPS and a TPS lokasi khusus). Later modules (the
risk index) add theirs — rawan, sangat rawan — by appending to ``TPS_STATUSES`` and teaching
``tps_status`` how to pick one; the map, its legend and the cluster colours follow the registry,
so no template or script changes. ``rank`` orders severity: a cluster takes the colour of its
highest-ranked TPS, so one sangat rawan TPS is not hidden inside a cluster of ordinary ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class TpsStatus:
    code: str
    label: str | Promise
    color: str  # CSS colour of the marker; chosen to stay readable for colour-blind users
    rank: int  # higher = more severe
    escalate: bool = False  # a cluster holding such a TPS takes its colour (risk statuses)


REGULER = TpsStatus("reguler", _("TPS reguler"), "#2563eb", 0)
KHUSUS = TpsStatus("khusus", _("TPS lokasi khusus"), "#7c3aed", 10)
# Reserved for the risk module, so that colours stay stable across releases:
#   TpsStatus("rawan", _("Rawan"), "#f59e0b", 50, escalate=True)
#   TpsStatus("sangat_rawan", _("Sangat rawan"), "#dc2626", 100, escalate=True)

TPS_STATUSES: list[TpsStatus] = [REGULER, KHUSUS]


def tps_status(*, special_location: str) -> str:
    """The status code of one TPS from the fields the foundation knows."""
    return KHUSUS.code if special_location else REGULER.code


def status_by_code(code: str) -> TpsStatus:
    return next((s for s in TPS_STATUSES if s.code == code), REGULER)


def statuses_payload() -> list[dict]:
    """The registry as plain data for the map (labels translated in the active language)."""
    return [
        {
            "code": s.code,
            "label": str(s.label),
            "color": s.color,
            "rank": s.rank,
            "escalate": s.escalate,
        }
        for s in sorted(TPS_STATUSES, key=lambda s: s.rank)
    ]
