"""The vulnerability index: indicators (data), their values per TPS, scores, history, alerts.

The arithmetic lives in ``siaga.engines.risk``; ``siaga.risk.services`` gathers the values,
runs it and stores what it returns here.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from siaga.risk.choices import AlertKind, Category, Signal, Source, ValueOrigin, Variable
from siaga.wilayah.models import Region, Tps


class Indicator(models.Model):
    """One indicator of the index (Bawaslu's catalogue by default), with its weight.

    ``weight`` is the number of points (of 100) the indicator adds when fully present;
    ``saturation`` is the value at which it is fully present (1 for a yes/no indicator, e.g. 3
    for "verified incidents of violence": one incident adds a third of the weight). An
    administrator changes weights and switches indicators off; every change is audited.
    """

    code = models.SlugField(_("kode"), max_length=60, primary_key=True)
    variable = models.CharField(_("variabel"), max_length=20, choices=Variable.choices)
    name = models.CharField(_("nama"), max_length=200)
    description = models.TextField(_("keterangan"), blank=True)
    source = models.CharField(_("sumber"), max_length=20, choices=Source.choices)
    weight = models.FloatField(
        pgettext_lazy("indicator weight", "bobot"),
        validators=[MinValueValidator(0.0), MaxValueValidator(100.0)],
    )
    saturation = models.FloatField(
        _("nilai penuh"), default=1.0, validators=[MinValueValidator(0.001)]
    )
    active = models.BooleanField(_("aktif"), default=True)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("indikator kerawanan")
        verbose_name_plural = _("indikator kerawanan")

    def __str__(self) -> str:
        return self.name


class IndicatorValue(models.Model):
    """The value of a static indicator at one TPS, from the mapping (an import or by hand)."""

    tps = models.ForeignKey(Tps, on_delete=models.CASCADE, related_name="risk_values")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    value = models.FloatField(_("nilai"), validators=[MinValueValidator(0.0)])
    origin = models.CharField(_("asal"), max_length=10, choices=ValueOrigin.choices)
    note = models.CharField(_("catatan"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("diperbarui"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("nilai indikator")
        verbose_name_plural = _("nilai indikator")
        constraints = [
            models.UniqueConstraint(fields=["tps", "indicator"], name="uniq_risk_value_per_tps")
        ]

    def __str__(self) -> str:
        return f"{self.tps_id} {self.indicator_id} = {self.value:g}"


class TpsAssessment(models.Model):
    """A TPS the mapping has covered (imported or entered by hand), even when every indicator
    was "tidak": what separates "aman" from "belum dinilai"."""

    tps = models.OneToOneField(
        Tps, on_delete=models.CASCADE, primary_key=True, related_name="risk_assessment"
    )
    origin = models.CharField(_("asal"), max_length=10, choices=ValueOrigin.choices)
    assessed_at = models.DateTimeField(_("dipetakan"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("pemetaan TPS")
        verbose_name_plural = _("pemetaan TPS")

    def __str__(self) -> str:
        return f"{self.tps_id} ({self.origin})"


class TpsRisk(models.Model):
    """The latest score of a TPS, with what drove it.

    ``explanation`` lists ``[code, value, points]`` of the indicators present, largest first.
    ``assessed`` says whether the TPS has been mapped (``TpsAssessment``): a TPS nobody has
    mapped and no module flags is "belum dinilai", not "aman".
    """

    tps = models.OneToOneField(Tps, on_delete=models.CASCADE, primary_key=True, related_name="risk")
    score = models.FloatField(pgettext_lazy("one score", "skor"))
    category = models.CharField(_("kategori"), max_length=20, choices=Category.choices)
    explanation = models.JSONField(_("penjelasan"), default=list)
    assessed = models.BooleanField(_("sudah dipetakan"), default=False)
    computed_at = models.DateTimeField(_("dihitung"))

    class Meta:
        verbose_name = _("skor kerawanan TPS")
        verbose_name_plural = _("skor kerawanan TPS")

    def __str__(self) -> str:
        return f"{self.tps_id}: {self.score:.1f} {self.category}"


class AreaRisk(models.Model):
    """The latest roll-up of a desa, kecamatan or regency: the voter-weighted mean of its TPS
    scores, its worst TPS, how many TPS fall in each category, and the indicators behind it."""

    region = models.OneToOneField(
        Region, on_delete=models.CASCADE, primary_key=True, related_name="risk"
    )
    score = models.FloatField(pgettext_lazy("one score", "skor"))
    max_score = models.FloatField(_("skor tertinggi"))
    category = models.CharField(_("kategori"), max_length=20, choices=Category.choices)
    tps_aman = models.PositiveIntegerField(default=0)
    tps_rawan = models.PositiveIntegerField(default=0)
    tps_sangat_rawan = models.PositiveIntegerField(default=0)
    explanation = models.JSONField(_("penjelasan"), default=list)
    computed_at = models.DateTimeField(_("dihitung"))

    class Meta:
        verbose_name = _("skor kerawanan wilayah")
        verbose_name_plural = _("skor kerawanan wilayah")

    def __str__(self) -> str:
        return f"{self.region_id}: {self.score:.1f} {self.category}"

    @property
    def tps_total(self) -> int:
        return self.tps_aman + self.tps_rawan + self.tps_sangat_rawan


class RiskHistory(models.Model):
    """The score of a TPS (``tps`` set) or an area (``region`` set) at the end of each day it
    was computed: the last computation of a day replaces the earlier ones of that day."""

    day = models.DateField(_("tanggal"), db_index=True)
    tps = models.ForeignKey(Tps, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    score = models.FloatField(pgettext_lazy("one score", "skor"))
    category = models.CharField(_("kategori"), max_length=20, choices=Category.choices)

    class Meta:
        ordering = ["day"]
        verbose_name = _("riwayat skor")
        verbose_name_plural = _("riwayat skor")
        constraints = [
            models.UniqueConstraint(
                fields=["tps", "day"],
                condition=models.Q(tps__isnull=False),
                name="uniq_risk_history_tps_day",
            ),
            models.UniqueConstraint(
                fields=["region", "day"],
                condition=models.Q(region__isnull=False),
                name="uniq_risk_history_region_day",
            ),
            models.CheckConstraint(
                condition=models.Q(tps__isnull=True) ^ models.Q(region__isnull=True),
                name="risk_history_tps_xor_region",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tps_id or self.region_id} {self.day}: {self.score:.1f}"


class RegionalIndex(models.Model):
    """Bawaslu's IKP (Indeks Kerawanan Pemilu) of a regency: context beside the TPS index."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="ikp_scores")
    year = models.PositiveSmallIntegerField(_("tahun"))
    score = models.FloatField(
        _("skor IKP"), validators=[MinValueValidator(0.0), MaxValueValidator(100.0)]
    )
    dimensions = models.JSONField(_("dimensi"), default=dict, blank=True)
    source = models.CharField(_("sumber"), max_length=200, blank=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("IKP")
        verbose_name_plural = _("IKP")
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="uniq_ikp_region_year")
        ]

    def __str__(self) -> str:
        return f"IKP {self.region_id} {self.year}: {self.score:.1f}"


class RiskRun(models.Model):
    """One computation of the index and the alert rules, for the record and the page."""

    started_at = models.DateTimeField(_("mulai"))
    seconds = models.FloatField(_("detik"))
    tps = models.PositiveIntegerField(_("TPS"))
    changed = models.PositiveIntegerField(_("kategori berubah"), default=0)
    alerts = models.PositiveIntegerField(_("peringatan"), default=0)
    providers = models.JSONField(_("sumber data"), default=list)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("perhitungan indeks")
        verbose_name_plural = _("perhitungan indeks")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} ({self.tps} TPS)"


class RiskAlert(models.Model):
    """An early warning: a category rise, a rising trend, or a cluster of incidents.

    ``key`` makes a rule fire once for one thing (a TPS rising to sangat rawan on a day, an
    area's trend on a day, a cluster's first incident). ``agency_kinds`` are the agencies
    responsible, who are notified and may acknowledge it.
    """

    kind = models.CharField(_("jenis"), max_length=20, choices=AlertKind.choices)
    key = models.CharField(max_length=120, unique=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("wilayah")
    )
    tps = models.ForeignKey(Tps, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    signal = models.CharField(_("sinyal"), max_length=20, choices=Signal.choices, blank=True)
    title = models.CharField(_("judul"), max_length=200)
    reason = models.CharField(_("alasan"), max_length=400)
    detail = models.JSONField(_("rincian"), default=dict)
    agency_kinds = models.JSONField(_("instansi"), default=list)
    fired_at = models.DateTimeField(_("waktu"), db_index=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(
        pgettext_lazy("alert acknowledged", "diterima"), null=True, blank=True
    )

    class Meta:
        ordering = ["-fired_at", "-pk"]
        verbose_name = _("peringatan dini")
        verbose_name_plural = _("peringatan dini")

    def __str__(self) -> str:
        return self.title

    @property
    def region_code(self) -> str:
        return self.region_id
