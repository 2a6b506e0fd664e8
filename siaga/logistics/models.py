"""Election logistics: item types, requirement rules, shipments along the distribution legs,
field handovers (serah terima) and replacement requests.

Requirements are not stored: they are computed from the TPS's DPT and the active rules every
time (``siaga.engines.logistics``), so a change of DPT or of a rule shows at once.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from siaga.logistics.choices import (
    ReplacementReason,
    ReplacementStatus,
    RuleKind,
    ShipmentStatus,
    Stage,
    TransportMode,
)


class ItemType(models.Model):
    """A kind of election material (surat suara gubernur, kotak suara, tinta, ...) with its unit."""

    code = models.SlugField(_("kode"), max_length=40, unique=True)
    name = models.CharField(_("nama"), max_length=120)
    unit = models.CharField(_("satuan"), max_length=30)
    is_ballot = models.BooleanField(_("surat suara"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("jenis logistik")
        verbose_name_plural = _("jenis logistik")

    def __str__(self) -> str:
        return self.name


class RequirementRule(models.Model):
    """How many of an item one TPS needs; kept as data an administrator can edit.

    ``params`` by kind: dpt_reserve ``{"reserve_percent": 2.5}``; fixed ``{"quantity": 1}``;
    dpt_band ``{"bands": [[300, 1], [600, 2]]}`` (up to that DPT, that many; beyond the last band
    the last quantity).
    """

    item = models.OneToOneField(ItemType, on_delete=models.CASCADE, related_name="rule")
    kind = models.CharField(_("jenis aturan"), max_length=20, choices=RuleKind.choices)
    params = models.JSONField(_("parameter"), default=dict)
    active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        verbose_name = _("aturan kebutuhan")
        verbose_name_plural = _("aturan kebutuhan")

    def __str__(self) -> str:
        return f"{self.item}: {self.get_kind_display()}"


class Shipment(models.Model):
    """One leg of the distribution, from one node to the next, with its contents and status.

    The destination is a kecamatan (PPK leg), a desa (PPS leg) or a TPS (KPPS leg); its region code
    is what the permission scope checks.
    """

    code = models.CharField(_("kode"), max_length=16, unique=True)
    stage = models.CharField(_("tahap"), max_length=10, choices=Stage.choices)
    origin_region = models.ForeignKey(
        "wilayah.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("asal")
    )
    destination_region = models.ForeignKey(
        "wilayah.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("tujuan")
    )
    destination_tps = models.ForeignKey(
        "wilayah.Tps",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("TPS tujuan"),
    )
    mode = models.CharField(_("moda"), max_length=20, choices=TransportMode.choices)
    carrier = models.CharField(_("pengangkut"), max_length=120, blank=True)
    escort = models.CharField(_("pengawalan"), max_length=120, blank=True)
    planned_departure = models.DateTimeField(_("rencana berangkat"))
    planned_arrival = models.DateTimeField(_("rencana tiba"))
    actual_departure = models.DateTimeField(_("berangkat"), null=True, blank=True)
    actual_arrival = models.DateTimeField(_("tiba"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ShipmentStatus.choices, default=ShipmentStatus.PLANNED
    )
    last_lat = models.FloatField(_("posisi terakhir (lintang)"), null=True, blank=True)
    last_lon = models.FloatField(_("posisi terakhir (bujur)"), null=True, blank=True)
    last_position_at = models.DateTimeField(_("waktu posisi terakhir"), null=True, blank=True)
    notes = models.TextField(_("catatan"), blank=True)

    class Meta:
        ordering = ["planned_departure", "code"]
        verbose_name = _("pengiriman")
        verbose_name_plural = _("pengiriman")
        indexes = [models.Index(fields=["status", "planned_arrival"])]

    def __str__(self) -> str:
        return self.code


class ShipmentLine(models.Model):
    """Contents of a shipment: an item and a quantity, for one TPS where it is packed per TPS."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(ItemType, on_delete=models.PROTECT, related_name="+")
    tps = models.ForeignKey(
        "wilayah.Tps", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("jumlah"))

    class Meta:
        verbose_name = _("isi pengiriman")
        verbose_name_plural = _("isi pengiriman")
        # Two partial indexes rather than NULLS NOT DISTINCT, which SQLite does not know.
        constraints = [
            models.UniqueConstraint(
                fields=["shipment", "item", "tps"],
                condition=models.Q(tps__isnull=False),
                name="uniq_shipment_line_tps",
            ),
            models.UniqueConstraint(
                fields=["shipment", "item"],
                condition=models.Q(tps__isnull=True),
                name="uniq_shipment_line_bulk",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shipment_id}: {self.item_id} × {self.quantity}"


class Handover(models.Model):
    """A serah terima recorded in the field; ``idempotency_key`` makes a retried submit harmless."""

    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="handovers")
    idempotency_key = models.CharField(_("kunci idempotensi"), max_length=64, unique=True)
    received_at = models.DateTimeField(_("waktu serah terima"))
    lat = models.FloatField(_("lintang"), null=True, blank=True)
    lon = models.FloatField(_("bujur"), null=True, blank=True)
    photo = models.ImageField(_("foto berita acara"), upload_to="handovers/%Y/%m/", blank=True)
    handed_by = models.CharField(_("yang menyerahkan"), max_length=120)
    received_by = models.CharField(_("yang menerima"), max_length=120)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("dicatat"), auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("serah terima")
        verbose_name_plural = _("serah terima")

    def __str__(self) -> str:
        return f"{self.shipment_id} @ {self.received_at:%Y-%m-%d %H:%M}"


class HandoverLine(models.Model):
    """Counts received, damaged and missing of one item (for one TPS where packed per TPS)."""

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(ItemType, on_delete=models.PROTECT, related_name="+")
    tps = models.ForeignKey(
        "wilayah.Tps", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received = models.PositiveIntegerField(_("diterima"))
    damaged = models.PositiveIntegerField(_("rusak"), default=0)
    missing = models.PositiveIntegerField(_("hilang/kurang"), default=0)

    class Meta:
        verbose_name = _("rincian serah terima")
        verbose_name_plural = _("rincian serah terima")

    def __str__(self) -> str:
        return f"{self.item_id}: {self.received}/{self.damaged}/{self.missing}"


class ReplacementRequest(models.Model):
    """A request to KPU to replace missing or damaged items found at a handover, with a deadline."""

    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="replacements")
    handover = models.ForeignKey(
        Handover, null=True, blank=True, on_delete=models.PROTECT, related_name="replacements"
    )
    item = models.ForeignKey(ItemType, on_delete=models.PROTECT, related_name="+")
    tps = models.ForeignKey(
        "wilayah.Tps", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        "wilayah.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("wilayah")
    )
    quantity = models.PositiveIntegerField(_("jumlah"))
    reason = models.CharField(_("alasan"), max_length=20, choices=ReplacementReason.choices)
    assigned_agency = models.ForeignKey(
        "accounts.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("instansi penanggung jawab"),
    )
    deadline = models.DateTimeField(_("tenggat"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ReplacementStatus.choices,
        default=ReplacementStatus.OPEN,
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    class Meta:
        ordering = ["deadline"]
        verbose_name = _("permintaan penggantian")
        verbose_name_plural = _("permintaan penggantian")

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.item_id} × {self.quantity}"
