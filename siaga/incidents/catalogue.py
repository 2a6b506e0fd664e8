"""The default incident categories (the TP3D's taxonomy), seeded once and then kept as data."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_noop as _noop

from siaga.core.audit import AuditContext, AuditEntry, audit_record_many, snapshot
from siaga.incidents.choices import Severity
from siaga.incidents.models import Category

# code, name, default severity, routed to agency kinds, SMS/Telegram keywords
DEFAULT_CATEGORIES = [
    ("intimidasi", _noop("Intimidasi"), Severity.TINGGI, "bawaslu,polri",
     "INTIMIDASI,ANCAMAN,TEKANAN"),
    ("politik-uang", _noop("Politik uang"), Severity.TINGGI, "bawaslu,polri,kejaksaan",
     "POLITIK UANG,MONEY POLITIK,MONEY POLITIC,AMPLOP,SERANGAN FAJAR,PU"),
    ("pemilih-ganda", _noop("Pemilih ganda atau tidak berhak"), Severity.TINGGI, "bawaslu,kpu",
     "PEMILIH GANDA,GANDA,MENCOBLOS DUA KALI,TIDAK BERHAK,JOKI"),
    ("kekerasan", _noop("Kekerasan / gangguan keamanan"), Severity.KRITIS, "polri,tni",
     "KEKERASAN,KERIBUTAN,BENTROK,GANGGUAN KEAMANAN,PERKELAHIAN,RUSUH"),
    ("logistik", _noop("Logistik kurang / rusak / terlambat"), Severity.SEDANG, "kpu",
     "LOGISTIK,SURAT SUARA,KOTAK SUARA,TERLAMBAT,RUSAK,KURANG"),
    ("netralitas", _noop("Netralitas ASN/TNI/Polri/penyelenggara"), Severity.SEDANG,
     "bawaslu,pemda", "NETRALITAS,ASN,TIDAK NETRAL"),
    ("hoaks-lokal", _noop("Hoaks lokal"), Severity.SEDANG, "kominfo,polri",
     "HOAKS,HOAX,BERITA BOHONG,FITNAH"),
    ("kampanye-masa-tenang", _noop("Kampanye di masa tenang"), Severity.SEDANG, "bawaslu",
     "KAMPANYE,MASA TENANG,APK"),
    ("bencana-gangguan", _noop("Bencana / gangguan listrik atau jaringan"), Severity.SEDANG,
     "pemda,kpu", "BENCANA,BANJIR,LISTRIK,PADAM,SINYAL,JARINGAN,LONGSOR"),
    ("lainnya", _noop("Lainnya"), Severity.RENDAH, "", "LAINNYA,LAIN"),
]  # fmt: skip


def categories_seed(*, context: AuditContext) -> int:
    """Create the default categories that are missing (never overwrite an edited one)."""
    created = []
    with transaction.atomic():
        existing = set(Category.objects.values_list("code", flat=True))
        for order, (code, name, severity, routes, keywords) in enumerate(DEFAULT_CATEGORIES):
            if code in existing:
                continue
            created.append(
                Category.objects.create(
                    code=code,
                    name=name,
                    default_severity=severity,
                    routes_to=routes,
                    keywords=keywords,
                    sort_order=order * 10,
                )
            )
        audit_record_many(
            context=context,
            entries=[
                AuditEntry(action="incident_category.create", obj=c, after=snapshot(c))
                for c in created
            ],
        )
    return len(created)
