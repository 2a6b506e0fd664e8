"""The preferences form: which outside channels, which kinds muted, the quiet hours.

It only parses; ``preference_update`` checks the rules (a whole quiet window, known channels)
and the view puts its refusal back on the field it names.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class PreferenceForm(forms.Form):
    """Channels are asked as "on" (what people think in) and stored as "off" (so that a channel
    added later starts on); kinds are asked as "muted" because everything comes by default."""

    channels_on = forms.MultipleChoiceField(
        label=_("Kirim juga melalui"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Kotak masuk Siaga selalu menerima semua notifikasi."),
    )
    muted_kinds = forms.MultipleChoiceField(
        label=_("Jangan kirim jenis ini ke luar kotak masuk"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    quiet_start = forms.TimeField(
        label=_("Jam tenang mulai"),
        required=False,
        widget=TIME_WIDGET,
        input_formats=["%H:%M", "%H.%M", "%H:%M:%S"],
    )
    quiet_end = forms.TimeField(
        label=_("Jam tenang selesai"),
        required=False,
        widget=TIME_WIDGET,
        input_formats=["%H:%M", "%H.%M", "%H:%M:%S"],
        help_text=_(
            "Waktu setempat. Boleh melewati tengah malam, misalnya 22:00 sampai 06:00. Pesan "
            "yang tidak mendesak ditahan sampai jam tenang selesai."
        ),
    )
    urgent_ignores_quiet = forms.BooleanField(
        label=_("Pesan mendesak tetap dikirim saat jam tenang"), required=False
    )

    def __init__(self, *args, channels=(), kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channels_on"].choices = list(channels)
        self.fields["muted_kinds"].choices = list(kinds)

    def clean(self) -> dict:
        """The quiet-hours rules of ``quiet_window_check``, in the user's language."""
        data = super().clean()
        start, end = data.get("quiet_start"), data.get("quiet_end")
        if "quiet_start" in self.errors or "quiet_end" in self.errors:
            return data
        if start is not None and end is None:
            self.add_error("quiet_end", _("Isi juga jam selesai, atau kosongkan keduanya."))
        elif end is not None and start is None:
            self.add_error("quiet_start", _("Isi juga jam mulai, atau kosongkan keduanya."))
        elif start is not None and start == end:
            self.add_error("quiet_end", _("Jam selesai harus berbeda dari jam mulai."))
        return data
