"""The Pilkada calendar: phases relative to voting day (H), as the TP3D plans around them.

The offsets follow Pilkada 2024 (campaign 25 September - 23 November, quiet period 24 - 26
November, voting 27 November, recapitulation into mid December), expressed as days from H so that
another election date moves the whole calendar.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Phase:
    code: str
    label: str
    first_day: int | None  # days relative to voting day; None = open-ended
    last_day: int | None


PHASES = (
    Phase("persiapan", _("Persiapan"), None, -64),
    Phase("kampanye", _("Masa kampanye"), -63, -4),
    Phase("masa_tenang", _("Masa tenang dan distribusi logistik"), -3, -1),
    Phase("pemungutan", _("Pemungutan dan penghitungan suara"), 0, 0),
    Phase("rekapitulasi", _("Rekapitulasi"), 1, 19),
    Phase("pasca", _("Pasca-Pilkada: sengketa dan kewaspadaan"), 20, None),
)


@dataclass(frozen=True)
class CalendarState:
    phase: Phase
    days_to_voting: int  # positive before voting day, 0 on the day, negative after

    @property
    def h_label(self) -> str:
        """The way the TP3D writes it: H-3, H, H+2."""
        if self.days_to_voting == 0:
            return "H"
        if self.days_to_voting > 0:
            return f"H-{self.days_to_voting}"
        return f"H+{-self.days_to_voting}"


def calendar_state(*, today: dt.date, voting_day: dt.date) -> CalendarState:
    relative = (today - voting_day).days
    for phase in PHASES:
        after_start = phase.first_day is None or relative >= phase.first_day
        before_end = phase.last_day is None or relative <= phase.last_day
        if after_start and before_end:
            return CalendarState(phase=phase, days_to_voting=-relative)
    raise AssertionError("the phases cover every day")  # pragma: no cover
