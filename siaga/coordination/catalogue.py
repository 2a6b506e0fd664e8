"""The standing meeting templates of the TP3D, seeded by a data migration and by
``siaga coordination seed`` (which also restores one deleted by mistake)."""

from __future__ import annotations

# The Rakor before voting day walks through the five fronts of the TP3D, in this order.
TEMPLATES: dict[str, list[str]] = {
    "Rakor TP3D jelang pemungutan suara": [
        "Logistik pemilihan",
        "Media sosial",
        "Pengawasan TPS",
        "Keamanan",
        "Kesiapan pasca pemungutan suara",
    ],
}


def seed_rows(model) -> list:
    """Create the templates missing from ``model`` (a real or a migration's historical model);
    returns those created, never touching an existing one."""
    existing = set(model.objects.filter(name__in=list(TEMPLATES)).values_list("name", flat=True))
    return [
        model.objects.create(name=name, agenda=list(agenda))
        for name, agenda in TEMPLATES.items()
        if name not in existing
    ]
