"""The default item catalogue of a Pilkada with two contests (governor and regent), as facts.

Each item has a requirement rule kept as data (``RequirementRule``): an administrator may edit it
later (``siaga.logistics.services.rule_update``); ``catalogue_seed`` only fills what is missing
or differs from these facts when run again, and records an audit event for each change.

Quantities follow the KPU's 2024 Pilkada guidance as the TP3D uses it: ballots are the DPT plus
a 2.5 % reserve per TPS, rounded up; one box per contest; booths by DPT band; one ink bottle per
TPS; forms, candidate lists and braille templates per contest.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from siaga.core.audit import AuditContext, AuditEntry, audit_record_many, snapshot
from siaga.logistics.choices import RuleKind
from siaga.logistics.models import ItemType, RequirementRule

CONTESTS = 2  # governor (gubernur) and regent (bupati)


@dataclass(frozen=True)
class ItemFact:
    code: str
    name: str
    unit: str
    kind: str
    params: dict = field(default_factory=dict)
    is_ballot: bool = False


CATALOGUE: tuple[ItemFact, ...] = (
    ItemFact(
        "surat_suara_gubernur",
        "Surat suara gubernur",
        "lembar",
        RuleKind.DPT_WITH_RESERVE,
        {"reserve_percent": 2.5},
        is_ballot=True,
    ),
    ItemFact(
        "surat_suara_bupati",
        "Surat suara bupati",
        "lembar",
        RuleKind.DPT_WITH_RESERVE,
        {"reserve_percent": 2.5},
        is_ballot=True,
    ),
    ItemFact("kotak_suara", "Kotak suara", "buah", RuleKind.FIXED_PER_TPS, {"quantity": CONTESTS}),
    ItemFact(
        "bilik_suara",
        "Bilik suara",
        "buah",
        RuleKind.DPT_BAND,
        {"bands": [[300, 3], [600, 4]]},
    ),
    ItemFact("tinta", "Tinta", "botol", RuleKind.FIXED_PER_TPS, {"quantity": 1}),
    ItemFact("segel", "Segel", "lembar", RuleKind.FIXED_PER_TPS, {"quantity": 40}),
    ItemFact("sampul", "Sampul kertas", "lembar", RuleKind.FIXED_PER_TPS, {"quantity": 20}),
    ItemFact(
        "formulir_c_hasil",
        "Formulir model C.Hasil",
        "set",
        RuleKind.FIXED_PER_TPS,
        {"quantity": CONTESTS},
    ),
    ItemFact(
        "formulir_c_pemberitahuan",
        "Formulir model C.Pemberitahuan",
        "lembar",
        RuleKind.DPT_WITH_RESERVE,
        {"reserve_percent": 0},
    ),
    ItemFact("hologram", "Hologram", "lembar", RuleKind.FIXED_PER_TPS, {"quantity": 10}),
    ItemFact(
        "daftar_pasangan_calon",
        "Daftar pasangan calon",
        "lembar",
        RuleKind.FIXED_PER_TPS,
        {"quantity": CONTESTS},
    ),
    ItemFact(
        "alat_bantu_tunanetra",
        "Alat bantu tunanetra (template braille)",
        "buah",
        RuleKind.FIXED_PER_TPS,
        {"quantity": CONTESTS},
    ),
)


def catalogue_seed(*, context: AuditContext) -> dict[str, int]:
    """Create or update the default item types and their rules; idempotent.

    Returns counts ``{"created": n, "updated": n, "unchanged": n}`` over items and rules. Only
    changes are audited, so running it twice records nothing the second time.
    """
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    entries: list[AuditEntry] = []
    with transaction.atomic():
        items = {item.code: item for item in ItemType.objects.select_for_update()}
        rules = {rule.item_id: rule for rule in RequirementRule.objects.select_for_update()}
        for order, fact in enumerate(CATALOGUE, start=1):
            wanted = {
                "name": fact.name,
                "unit": fact.unit,
                "is_ballot": fact.is_ballot,
                "sort_order": order,
            }
            item = items.get(fact.code)
            if item is None:
                item = ItemType.objects.create(code=fact.code, **wanted)
                entries.append(_entry("logistics.item.create", item, None))
                counts["created"] += 1
            else:
                before = snapshot(item)
                for name, value in wanted.items():
                    setattr(item, name, value)
                if snapshot(item) != before:
                    item.save()
                    entries.append(_entry("logistics.item.update", item, before))
                    counts["updated"] += 1
                else:
                    counts["unchanged"] += 1
            rule = rules.get(item.pk)
            if rule is None:
                rule = RequirementRule.objects.create(
                    item=item, kind=fact.kind, params=dict(fact.params), active=True
                )
                entries.append(_entry("logistics.rule.create", rule, None))
                counts["created"] += 1
            else:
                # An administrator's edit of a rule is kept: the seed fills gaps, it does not
                # undo decisions.
                counts["unchanged"] += 1
        audit_record_many(context=context, entries=entries)
    return counts


def _entry(action: str, obj, before: dict | None) -> AuditEntry:
    return AuditEntry(action=action, obj=obj, before=before, after=snapshot(obj))
