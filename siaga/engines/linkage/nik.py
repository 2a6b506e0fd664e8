"""The 16-digit NIK (Nomor Induk Kependudukan) as linkage features (pure Python, no Django).

Layout: ``PP KK CC DDMMYY SSSS`` -- province, regency (kabupaten/kota) and kecamatan of first
registration, birth date (40 added to the day for women) and a serial number (0001-9999).

Decisions:

* The two-digit birth year is placed in the latest century that does not put the birth after
  ``reference`` (the 19xx/20xx choice). Between a 15-year-old and a 115-year-old the younger
  reading wins. Only this century and the previous one are candidates, so no reading is older
  than 120 (``MAX_AGE``). ``nik_consistent`` compares day, month and the two year digits only,
  so a stated birth date of 1910 still agrees with a NIK that reads 2010.
* ``reference`` defaults to ``datetime.date.today()``; callers in Siaga pass
  ``siaga.core.clock.today()`` so the deployment clock offset applies.
* Region codes are only checked for zeros here (province 00-10, regency 00, kecamatan 00);
  whether the region exists is for the caller, who has the region table.
* Messages are Indonesian plain strings (they reach users); the Django layer wraps them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

__all__ = [
    "MAX_AGE",
    "NikError",
    "NikParts",
    "clean_nik",
    "date_similarity_level",
    "eligible_on",
    "nik_consistent",
    "nik_distance",
    "nik_similarity_level",
    "parse_nik",
    "same_except_serial",
]

MAX_AGE = 120
VOTING_AGE = 17
NIK_LENGTH = 16

MSG_EMPTY = "NIK kosong."
MSG_TYPE = "NIK harus berupa teks angka, bukan {type}."
MSG_NOT_DIGITS = "NIK hanya boleh berisi angka."
MSG_LENGTH = "NIK harus 16 digit, bukan {length} digit."
MSG_PROVINCE = "Kode provinsi pada NIK tidak sah: {code}."
MSG_REGENCY = "Kode kabupaten/kota pada NIK tidak boleh 00."
MSG_KECAMATAN = "Kode kecamatan pada NIK tidak boleh 00."
MSG_DAY = "Tanggal lahir pada NIK tidak sah: {day} (1-31 untuk laki-laki, 41-71 untuk perempuan)."
MSG_MONTH = "Bulan lahir pada NIK tidak sah: {month}."
MSG_DATE = "Tanggal lahir pada NIK tidak ada di kalender: {day:02d}-{month:02d}-{year:02d}."
MSG_FUTURE = "Tanggal lahir pada NIK jatuh setelah tanggal acuan."
MSG_SERIAL = "Nomor urut pada NIK tidak boleh 0000."

_STRIP = str.maketrans("", "", " .\t\n\r\u00a0")
_MARRIED = frozenset(
    {"S", "P", "SUDAH KAWIN", "PERNAH KAWIN", "KAWIN", "CERAI HIDUP", "CERAI MATI", "CERAI"}
)


class NikError(ValueError):
    """A NIK that cannot be parsed. ``code`` names the problem, ``str(err)`` is the message."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class NikParts:
    nik: str  # the 16 digits
    province: str  # "64"
    regency: str  # "08"
    kecamatan: str  # "04"
    birth_date: dt.date
    sex: str  # "L" or "P"
    serial: str  # "0001"

    @property
    def region_code(self) -> str:
        """Kemendagri dotted kecamatan code: ``"64.08.04"``."""
        return f"{self.province}.{self.regency}.{self.kecamatan}"

    @property
    def regency_code(self) -> str:
        return f"{self.province}.{self.regency}"

    @property
    def prefix(self) -> str:
        """The first 12 digits: region and birth date, shared by twins."""
        return self.nik[:12]


def clean_nik(raw: str | int) -> str:
    """The NIK without spaces and dots (no validation). Integers are accepted as written."""
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise NikError("type", MSG_TYPE.format(type=type(raw).__name__))
    return str(raw).translate(_STRIP)


def _choose_century(day: int, month: int, yy: int, reference: dt.date) -> dt.date:
    # Candidates this century and the previous one: a window of 100 years, so the chosen reading
    # is never older than MAX_AGE.
    base = reference.year // 100 * 100
    in_calendar = False
    for year in (base + yy, base - 100 + yy):
        try:
            born = dt.date(year, month, day)
        except ValueError:
            continue
        in_calendar = True
        if born <= reference:
            return born
    if in_calendar:  # only 29 February 00 with a reference before that day in 2000
        raise NikError("future", MSG_FUTURE)
    raise NikError("date", MSG_DATE.format(day=day, month=month, year=yy))


def parse_nik(raw: str | int, *, reference: dt.date | None = None) -> NikParts:
    """Split a NIK into its parts, or raise ``NikError`` with an Indonesian message.

    >>> p = parse_nik("6408045208950001", reference=dt.date(2024, 11, 27))
    >>> p.region_code, p.birth_date, p.sex, p.serial
    ('64.08.04', datetime.date(1995, 8, 12), 'P', '0001')
    """
    digits = clean_nik(raw)
    if not digits:
        raise NikError("empty", MSG_EMPTY)
    if not (digits.isascii() and digits.isdigit()):
        raise NikError("not_digits", MSG_NOT_DIGITS)
    if len(digits) != NIK_LENGTH:
        raise NikError("length", MSG_LENGTH.format(length=len(digits)))
    province, regency, kecamatan = digits[0:2], digits[2:4], digits[4:6]
    if int(province) < 11:
        raise NikError("region", MSG_PROVINCE.format(code=province))
    if regency == "00":
        raise NikError("region", MSG_REGENCY)
    if kecamatan == "00":
        raise NikError("region", MSG_KECAMATAN)
    day, month, yy = int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    if 1 <= day <= 31:
        sex = "L"
    elif 41 <= day <= 71:
        sex, day = "P", day - 40
    else:
        raise NikError("day", MSG_DAY.format(day=digits[6:8]))
    if not 1 <= month <= 12:
        raise NikError("month", MSG_MONTH.format(month=digits[8:10]))
    serial = digits[12:]
    if serial == "0000":
        raise NikError("serial", MSG_SERIAL)
    born = _choose_century(day, month, yy, reference or dt.date.today())
    return NikParts(digits, province, regency, kecamatan, born, sex, serial)


def _norm_sex(sex: str) -> str:
    value = sex.strip().upper()
    if value in ("LAKI-LAKI", "LAKI LAKI", "PRIA", "M"):
        return "L"
    if value in ("PEREMPUAN", "WANITA", "F", "W"):
        return "P"
    return value


def nik_consistent(parts: NikParts, *, birth_date: dt.date | None, sex: str | None) -> list[str]:
    """Disagreements between the NIK and the row: ``"birth_date"`` and/or ``"sex"``.

    The birth date agrees when day, month and the last two year digits are equal (the century
    is not in the NIK). A missing birth date or sex is not a disagreement.
    """
    problems = []
    if birth_date is not None:
        nb = parts.birth_date
        if (birth_date.day, birth_date.month, birth_date.year % 100) != (
            nb.day,
            nb.month,
            nb.year % 100,
        ):
            problems.append("birth_date")
    if sex is not None and sex.strip() and _norm_sex(sex) != parts.sex:
        problems.append("sex")
    return problems


def nik_distance(a: str, b: str) -> int:
    """Optimal-string-alignment distance (edits and adjacent transpositions), capped at 3.

    Exact up to 2; any larger distance is returned as 3. Equal-length strings with at most two
    differing positions are answered without the dynamic programme.
    """
    if a == b:
        return 0
    la, lb = len(a), len(b)
    if abs(la - lb) > 2:
        return 3
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return 1
        if len(diff) == 2:
            i, j = diff
            if j == i + 1 and a[i] == b[j] and a[j] == b[i]:
                return 1
            return 2
    return _osa_banded(a, b, 2)


def _osa_banded(a: str, b: str, k: int) -> int:
    """OSA distance with a band of width ``k``; returns ``k + 1`` as soon as it exceeds ``k``."""
    big = k + 1
    la, lb = len(a), len(b)
    prev2: list[int] = []
    prev = [j if j <= k else big for j in range(lb + 1)]
    for i in range(1, la + 1):
        cur = [big] * (lb + 1)
        if i <= k:
            cur[0] = i
        lo, hi = max(1, i - k), min(lb, i + k)
        ai = a[i - 1]
        for j in range(lo, hi + 1):
            cost = 0 if ai == b[j - 1] else 1
            value = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ai == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, prev2[j - 2] + 1)
            cur[j] = value if value < big else big
        if min(cur) > k:
            return big
        prev2, prev = prev, cur
    return min(prev[lb], big)


def nik_similarity_level(a: str, b: str) -> int:
    """0 identical, 1 one edit or one adjacent transposition, 2 two edits, 3 more."""
    return nik_distance(a, b)


def same_except_serial(a: str, b: str) -> bool:
    """Same region and birth date, different serial: the twins and siblings pattern."""
    return len(a) == NIK_LENGTH == len(b) and a[:12] == b[:12] and a[12:] != b[12:]


def date_similarity_level(a: dt.date | None, b: dt.date | None) -> int:
    """0 equal, 1 day and month swapped, 2 one digit different in DDMMYYYY, 3 otherwise."""
    if a is None or b is None:
        return 3
    if a == b:
        return 0
    if a.year == b.year and a.day == b.month and a.month == b.day:
        return 1
    sa, sb = f"{a.day:02d}{a.month:02d}{a.year:04d}", f"{b.day:02d}{b.month:02d}{b.year:04d}"
    if sum(x != y for x, y in zip(sa, sb, strict=True)) == 1:
        return 2
    return 3


def _age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def eligible_on(
    birth_date: dt.date | None, marital_status: str | None, voting_day: dt.date
) -> bool:
    """May vote: 17 or older on voting day, or married now or before (status S or P).

    Someone born on 29 February turns 17 on 1 March in a non-leap year (the day after
    28 February), which is what the age comparison gives. Without a birth date, only a
    marriage makes a voter eligible.
    """
    if marital_status and marital_status.strip().upper() in _MARRIED:
        return True
    if birth_date is None:
        return False
    return _age_on(birth_date, voting_day) >= VOTING_AGE
