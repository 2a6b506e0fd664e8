"""Forms of the report pages: the public report form (no account) and its ticket check.

The public form checks the shape of what a citizen sends and its anti-spam guards: a honeypot
field no person sees, a signed token made when the form is rendered (it carries the form's
idempotency key and the time it was shown: a form sent back faster than ``MIN_FILL_SECONDS`` is
a robot's), content limits and images only. The rules of a report (category, place, time) are
``incident_submit``'s, whose refusal the view shows next to the field it names.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
import uuid
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy as _

TOKEN_SALT = "siaga.incidents.public-form"  # noqa: S105 - a signing salt, not a secret
MIN_FILL_SECONDS = 3
MAX_FORM_AGE = 24 * 3600  # a form left open for a day is shown again, with a new token
DESCRIPTION_MIN = 20
DESCRIPTION_MAX = 2000
MAX_PHOTOS = 3
HONEYPOT = "website"
DEVICE_COOKIE = "siaga_device"
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
PHONE_CHARS = set("0123456789+-() ")


class FormTokenError(Exception):
    """The token is missing, forged or too old; ``too_fast`` when it was sent back too soon."""

    def __init__(self, message: str, *, too_fast: bool = False) -> None:
        super().__init__(message)
        self.too_fast = too_fast


def form_token(*, key: str | None = None, issued_at: float | None = None) -> str:
    """A signed token holding the form's idempotency key and when the form was shown."""
    payload = {"k": key or uuid.uuid4().hex, "t": int(issued_at if issued_at else time.time())}
    return signing.dumps(payload, salt=TOKEN_SALT, compress=False)


def form_token_read(token: str, *, now: float | None = None) -> str:
    """The idempotency key of a valid token; raises ``FormTokenError`` otherwise."""
    now = time.time() if now is None else now
    try:
        payload = signing.loads(str(token or ""), salt=TOKEN_SALT)
        key, issued = str(payload["k"]), int(payload["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise FormTokenError(_("Formulir tidak sah atau kedaluwarsa; silakan kirim lagi.")) from exc
    if now - issued > MAX_FORM_AGE:
        raise FormTokenError(_("Formulir sudah terlalu lama dibuka; silakan kirim lagi."))
    if now - issued < MIN_FILL_SECONDS:
        raise FormTokenError(
            _("Formulir dikirim terlalu cepat. Periksa isian Anda, lalu kirim lagi."),
            too_fast=True,
        )
    return key


def device_id_new() -> str:
    return secrets.token_urlsafe(18)


def device_id_clean(raw: str) -> str:
    """A device id as the browser keeps it (random, URL-safe); anything else is ignored."""
    text = str(raw or "").strip()
    if 16 <= len(text) <= 64 and all(c.isalnum() or c in "-_" for c in text):
        return text
    return ""


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Up to ``MAX_PHOTOS`` photos; the bytes are checked by ``siaga.core.media`` on submit."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(
                _("Paling banyak %(max)d foto.") % {"max": MAX_PHOTOS}, code="too_many"
            )
        limit = settings.SIAGA_UPLOAD_MAX_MB * 1024 * 1024
        for upload in files:
            if upload.size > limit:
                raise forms.ValidationError(
                    _("%(file)s: melebihi batas %(limit)d MB.")
                    % {"file": upload.name, "limit": settings.SIAGA_UPLOAD_MAX_MB},
                    code="too_large",
                )
            content_type = getattr(upload, "content_type", "") or ""
            if content_type and not content_type.startswith("image/"):
                raise forms.ValidationError(
                    _("%(file)s: hanya foto (JPEG, PNG atau WebP) yang diterima.")
                    % {"file": upload.name},
                    code="not_image",
                )
        return files


class PublicReportForm(forms.Form):
    """What a citizen reports, without an account; anonymous unless they choose otherwise."""

    category = forms.ChoiceField(label=_("Jenis kejadian"))
    desa = forms.ChoiceField(
        label=_("Desa/kelurahan"),
        required=False,
        help_text=_("Pilih desa, atau pakai lokasi Anda saat ini."),
    )
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    tps_number = forms.IntegerField(
        label=_("Nomor TPS (bila ada)"),
        required=False,
        min_value=1,
        max_value=999,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    occurred_at = forms.DateTimeField(
        label=_("Waktu kejadian"),
        required=False,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        help_text=_("Kosongkan bila baru saja terjadi."),
    )
    description = forms.CharField(
        label=_("Uraian kejadian"),
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": DESCRIPTION_MAX}),
        help_text=_("Apa yang terjadi, di mana, siapa yang terlibat (%(min)d–%(max)d karakter).")
        % {"min": DESCRIPTION_MIN, "max": DESCRIPTION_MAX},
        error_messages={"required": _("Uraian kejadian wajib diisi.")},
    )
    photos = MultipleImageField(
        label=_("Foto (paling banyak 3)"),
        required=False,
        help_text=_("Lokasi dan data lain di dalam foto dihapus sebelum disimpan."),
    )
    anonymous = forms.BooleanField(label=_("Laporkan secara anonim"), required=False, initial=True)
    reporter_name = forms.CharField(label=_("Nama Anda"), required=False, max_length=120)
    reporter_contact = forms.CharField(
        label=_("Nomor telepon/WhatsApp"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    # Anti-spam: a field people never see, the signed form token, the browser's device id.
    website = forms.CharField(required=False, label=_("Situs web"))
    form_token = forms.CharField(widget=forms.HiddenInput)
    device_id = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, categories=(), desa_groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("— pilih —"))] + list(categories)
        self.fields["desa"].choices = [("", _("— pilih desa —"))] + list(desa_groups)
        self.fields["reporter_name"].widget.attrs["autocomplete"] = "name"
        self.fields["photos"].widget.attrs["data-too-many"] = _("Paling banyak %(max)d foto.") % {
            "max": MAX_PHOTOS
        }
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})
        self.key = ""

    @property
    def is_spam_trap(self) -> bool:
        """The honeypot was filled: a robot, to be told "thank you" and ignored."""
        return bool(str(self.data.get(HONEYPOT, "")).strip())

    def clean_description(self) -> str:
        text = self.cleaned_data["description"].strip()
        if len(" ".join(text.split())) < DESCRIPTION_MIN:
            raise forms.ValidationError(
                _("Uraian terlalu pendek: tulis paling sedikit %(min)d karakter.")
                % {"min": DESCRIPTION_MIN}
            )
        if len(text) > DESCRIPTION_MAX:
            raise forms.ValidationError(
                _("Uraian terlalu panjang: paling banyak %(max)d karakter.")
                % {"max": DESCRIPTION_MAX}
            )
        return text

    def clean_form_token(self) -> str:
        token = self.cleaned_data["form_token"]
        try:
            self.key = form_token_read(token)
        except FormTokenError as exc:
            self.token_error = exc
            raise forms.ValidationError(str(exc)) from exc
        return token

    def clean_reporter_contact(self) -> str:
        phone = self.cleaned_data["reporter_contact"].strip()
        digits = [c for c in phone if c.isdigit()]
        if phone and (not set(phone) <= PHONE_CHARS or not 8 <= len(digits) <= 15):
            raise forms.ValidationError(_("Nomor telepon tidak sah (8–15 angka)."))
        return phone

    def clean_occurred_at(self) -> dt.datetime | None:
        value = self.cleaned_data["occurred_at"]
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
        return value

    def clean(self):
        data = super().clean()
        has_point = data.get("lat") is not None and data.get("lon") is not None
        if not data.get("desa") and not has_point and "desa" not in self.errors:
            self.add_error("desa", _("Pilih desa/kelurahan, atau pakai lokasi Anda."))
        if data.get("tps_number") and not data.get("desa"):
            self.add_error("tps_number", _("Pilih desa dari TPS tersebut."))
        if not data.get("anonymous") and not str(data.get("reporter_name", "")).strip():
            self.add_error(
                "reporter_name", _("Isi nama Anda, atau centang “Laporkan secara anonim”.")
            )
        return data


class TicketCheckForm(forms.Form):
    tiket = forms.CharField(label=_("Nomor tiket"), max_length=12, required=False)

    def clean_tiket(self) -> str:
        text = "".join(self.cleaned_data["tiket"].split()).upper()
        if not text:
            return ""
        if not text.startswith("LK-"):
            text = "LK-" + text.removeprefix("LK")
        if len(text) != 9 or not text[3:].isalnum():
            raise forms.ValidationError(_("Nomor tiket berbentuk LK-XXXXXX."))
        return text
