"""The Kutai Timur demo's day on social media: known debunks, posts and the analysts' actions.

The demo plays on 24 November 2024 at 10:00 WITA, the first day of the quiet period (masa tenang),
three days before voting day. A media analyst of the TP3D opening the media screen then should see
what a real day looks like: mostly ordinary chatter (the last debate, logistics going upriver by
boat, rain, traffic, jokes, supporters, official notices about the quiet period) and, hidden in it,
the three things the screen exists to surface:

* a **resurfacing known hoax**: the October claim that ballots already punched for one pair were
  found at the KPU warehouse in Sangatta, reposted all day in rewordings close to the debunked
  claim, so claim matching finds it;
* a **growing provocative narrative** tied to Kecamatan Bengalon: calls to gather at Sepaso,
  block the Sangatta–Bengalon road (which logistics trucks take today and tomorrow) and "sweep"
  mine workers from outside said to vote with any ID card; a trickle over the day before that
  accelerates in the last three hours, so a spike detector fires;
* a few mild SARA posts, and the official clarifications that answer the first two.

This module is plain data and small deterministic generators (a fixed seed): no Django, so the
loader (which stores the content through the media services) and the tests can both use it.
Every name is invented (candidates, handles, outlets) except places, which are the regency's real
kecamatan and a handful of real desa; links point at ``contoh.id`` demo domains. The national
hoaxes are retold in our own words after the type of claims that circulated in 2024.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from collections import Counter
from dataclasses import dataclass

from siaga.demo import kutai_timur as facts

__all__ = [
    "ACTION_CODES",
    "KECAMATAN_NAMES",
    "PASLON",
    "PLATFORMS",
    "PROVOCATIVE_DESA",
    "PROVOCATIVE_KECAMATAN",
    "PROVOCATIVE_LEAD",
    "PROVOCATIVE_VIDEO",
    "RESURFACING_CHAIN",
    "RESURFACING_DEBUNK",
    "RESURFACING_LEAD",
    "REVIEW_VERDICTS",
    "STATUSES",
    "TRANSITIONS",
    "VERDICTS",
    "DemoAction",
    "DemoDebunk",
    "DemoPost",
    "actions",
    "debunks",
    "posts",
]

SEED = 20241124
DAY_MINUTES = 24 * 60

VERDICTS = ("salah", "menyesatkan", "benar", "tidak_terbukti")
PLATFORMS = ("facebook", "x", "tiktok", "instagram", "whatsapp", "news")
# The analyst workflow's review statuses (siaga.media.choices.ReviewStatus).
STATUSES = (
    "belum_ditinjau",
    "sedang_diperiksa",
    "hoaks",
    "bukan_hoaks",
    "tidak_terverifikasi",
    "ditindaklanjuti",
    "selesai",
)
ACTION_CODES = ("lapor_platform", "lapor_kominfo", "kontra_narasi", "rujuk_polisi")
# Which status may follow which, as in siaga.media.choices.TRANSITIONS (kept here so this module
# stays free of Django; the tests check the demo's paths against it).
TRANSITIONS = {
    "belum_ditinjau": {"sedang_diperiksa", "hoaks", "bukan_hoaks", "tidak_terverifikasi"},
    "sedang_diperiksa": {"hoaks", "bukan_hoaks", "tidak_terverifikasi", "belum_ditinjau"},
    "hoaks": {"ditindaklanjuti", "selesai", "sedang_diperiksa"},
    "bukan_hoaks": {"ditindaklanjuti", "selesai", "sedang_diperiksa"},
    "tidak_terverifikasi": {"ditindaklanjuti", "selesai", "sedang_diperiksa"},
    "ditindaklanjuti": {"selesai"},
    "selesai": {"sedang_diperiksa"},
}
REVIEW_VERDICTS = ("hoaks", "bukan_hoaks", "tidak_terverifikasi")

RESURFACING_DEBUNK = "surat-suara-tercoblos"
RESURFACING_LEAD = "hoaks-ss-lead"
RESURFACING_CHAIN = "hoaks-ss-berantai"  # its WhatsApp chain-message version
PROVOCATIVE_KECAMATAN = "64.08.09"  # Bengalon
# The desa of Bengalon the narrative names (codes as in the Kemendagri list).
PROVOCATIVE_DESA = {
    "64.08.09.2001": "Sepaso",
    "64.08.09.2003": "Keraitan",
    "64.08.09.2004": "Tepian Langsat",
    "64.08.09.2005": "Tebangan Lembak",
    "64.08.09.2008": "Muara Bengalon",
}
PROVOCATIVE_LEAD = "provokasi-bengalon-lead"
PROVOCATIVE_VIDEO = "provokasi-bengalon-video"  # a TikTok retelling of the lead call

# Kecamatan names (Kemendagri); kutai_timur.py carries their towns, not their names.
KECAMATAN_NAMES = {
    "64.08.01": "Muara Ancalong",
    "64.08.02": "Muara Wahau",
    "64.08.03": "Muara Bengkal",
    "64.08.04": "Sangatta Utara",
    "64.08.05": "Sangkulirang",
    "64.08.06": "Busang",
    "64.08.07": "Telen",
    "64.08.08": "Kombeng",
    "64.08.09": "Bengalon",
    "64.08.10": "Kaliorang",
    "64.08.11": "Sandaran",
    "64.08.12": "Sangatta Selatan",
    "64.08.13": "Teluk Pandan",
    "64.08.14": "Rantau Pulung",
    "64.08.15": "Kaubun",
    "64.08.16": "Karangan",
    "64.08.17": "Batu Ampar",
    "64.08.18": "Long Mesangat",
}


@dataclass(frozen=True)
class Paslon:
    """An invented candidate pair (bupati – wakil bupati); never a real person."""

    number: str
    names: str
    tagline: str
    slogan: str


PASLON = (
    Paslon("01", "Gusti Raditya – Ratna Sarimaya", "RARA", "Kutim Maju Merata"),
    Paslon("02", "Rudi Tamalanrea – Paulus Ngau", "RUPA", "Kutim Sejahtera Bersama"),
    Paslon("03", "Hasanuddin Lembang – Dewi Kartikasari", "HANDAL", "Kutim Handal dan Berdaya"),
)


@dataclass(frozen=True)
class DemoDebunk:
    """A claim already checked by fact-checkers (``source_url`` on a demo domain)."""

    key: str
    claim: str
    verdict: str  # one of VERDICTS
    date: dt.date
    source_url: str
    category: str
    explanation: str


@dataclass(frozen=True)
class DemoPost:
    """One post of the day; ``minutes_before_now`` counts back from the demo's 10:00 WITA.

    ``story`` is "" for background chatter, else the thread it belongs to: ``resurfacing_hoax``,
    ``known_hoax``, ``provocative_narrative``, ``hate``, ``official_clarification``,
    ``citizen_correction``, ``rumour``. ``debunk`` is the key of the debunk the post repeats
    (the ground truth for claim matching), "" when it repeats none.
    """

    key: str
    minutes_before_now: int
    platform: str  # one of PLATFORMS
    handle: str
    official: bool
    text: str
    url: str
    likes: int
    shares: int
    replies: int
    reply_to: str | None
    story: str
    debunk: str = ""


@dataclass(frozen=True)
class DemoAction:
    """One step of an analyst's work on a post, as the media workflow records it.

    ``status_path`` lists the review statuses the post is moved through in this step, each one
    allowed after the one before (starting from ``belum_ditinjau``; may be empty). ``action`` is
    an ACTION_CODES value, or "" for a review without an outward action; recording an action
    needs a verdict first and moves the post to ``ditindaklanjuti`` by itself. ``debunk`` is the
    debunk the post was matched to, ``labels`` the analyst's labels given with a verdict
    (hoaks, ujaran_kebencian, sara, provokasi, kasar, politik).
    """

    post_key: str
    minutes_before_now: int
    status_path: tuple[str, ...]
    action: str
    note: str
    link: str
    debunk: str = ""
    labels: tuple[str, ...] = ()


# --- Debunks ------------------------------------------------------------------------------------


def _debunk(key: str, claim: str, verdict: str, day: dt.date, category: str, why: str):
    url = f"https://cekfakta.contoh.id/{day:%Y/%m}/{key}"
    return DemoDebunk(key, claim, verdict, day, url, category, why)


_DEBUNKS = (
    # National claims of the kind that circulated around the 2024 elections.
    _debunk(
        "tinta-pemilu-haram",
        "Tinta pemilu untuk menandai jari pemilih mengandung bahan haram dan merusak kesehatan "
        "kulit serta membatalkan wudu.",
        "salah",
        dt.date(2024, 2, 9),
        "kesehatan",
        "Tinta pemilu diproduksi dengan sertifikat halal dan uji keamanan dari lembaga "
        "berwenang. Tinta itu tidak menembus pori-pori kulit, sehingga tidak menghalangi air "
        "wudu, dan hilang sendiri dalam beberapa hari.",
    ),
    _debunk(
        "sirekap-atur-suara",
        "Aplikasi Sirekap KPU sudah diatur untuk menambah suara satu pasangan calon secara "
        "otomatis sebelum pemungutan suara.",
        "menyesatkan",
        dt.date(2024, 2, 20),
        "penyelenggara",
        "Sirekap hanya memotret dan membaca formulir hasil penghitungan di TPS sebagai alat "
        "bantu publikasi. Salah baca angka memang pernah terjadi dan dikoreksi, tetapi hasil "
        "resmi ditetapkan dari rekapitulasi berjenjang manual yang disaksikan saksi paslon.",
    ),
    _debunk(
        "wna-ber-ktp-nyoblos",
        "Warga negara asing yang memegang KTP elektronik bisa ikut mencoblos di pilkada.",
        "salah",
        dt.date(2024, 2, 6),
        "pemilih",
        "KTP-el untuk WNA berwarna lain dan mencantumkan kewarganegaraan. Hanya WNI yang "
        "terdaftar atau memenuhi syarat yang boleh memilih; KPPS memeriksa identitas di TPS.",
    ),
    _debunk(
        "pilkada-diundur-2025",
        "Pilkada serentak 27 November 2024 resmi diundur ke tahun 2025 karena anggaran tidak "
        "cukup.",
        "salah",
        dt.date(2024, 10, 18),
        "penyelenggara",
        "KPU RI menegaskan jadwal pemungutan suara tetap 27 November 2024 sesuai undang-undang. "
        "Dokumen yang beredar adalah surat lama yang disunting.",
    ),
    _debunk(
        "libur-nasional-27-november",
        "Pemerintah menetapkan Rabu 27 November 2024 sebagai hari libur nasional untuk "
        "pemungutan suara pilkada serentak.",
        "benar",
        dt.date(2024, 11, 15),
        "penyelenggara",
        "Hari pemungutan suara pilkada serentak ditetapkan sebagai hari libur nasional melalui "
        "keputusan presiden agar pemilih dapat datang ke TPS.",
    ),
    _debunk(
        "kpps-coblos-sisa-surat-suara",
        "Petugas KPPS boleh mencoblos sendiri sisa surat suara yang tidak terpakai setelah TPS "
        "ditutup.",
        "salah",
        dt.date(2024, 2, 12),
        "penyelenggara",
        "Sisa surat suara dihitung, diberi tanda silang dan dicatat di berita acara di depan "
        "saksi dan pengawas TPS. Mencoblos sisa surat suara adalah tindak pidana pemilihan.",
    ),
    # Local claims of the Kutai Timur Pilkada.
    _debunk(
        RESURFACING_DEBUNK,
        "Ribuan surat suara Pilkada Kutai Timur sudah tercoblos untuk paslon 02 ditemukan di "
        "gudang logistik KPU di Sangatta.",
        "salah",
        dt.date(2024, 10, 28),
        "logistik",
        "Foto yang beredar memperlihatkan surat suara rusak yang disisihkan saat penyortiran di "
        "gudang KPU Kutai Timur pada akhir Oktober. Surat suara rusak diberi tanda dan dihitung "
        "di depan Bawaslu, kepolisian dan saksi ketiga paslon, lalu dimusnahkan dengan berita "
        "acara. Tidak ada surat suara yang dicoblos untuk paslon mana pun.",
    ),
    _debunk(
        "paslon-03-mundur",
        "Paslon 03 Hasanuddin Lembang – Dewi Kartikasari mengundurkan diri dari Pilkada Kutai "
        "Timur dan meminta pendukungnya memilih paslon lain.",
        "salah",
        dt.date(2024, 11, 19),
        "kandidat",
        "Tim pemenangan paslon 03 dan KPU Kutai Timur membantah. Tangkapan layar surat "
        "pengunduran diri itu memakai kop dan tanda tangan yang disunting; nama paslon 03 tetap "
        "tercetak di surat suara.",
    ),
    _debunk(
        "tps-pindah-tanpa-pemberitahuan",
        "Puluhan TPS di Sangatta Utara dipindah diam-diam ke lokasi lain agar pemilih tidak "
        "bisa mencoblos.",
        "menyesatkan",
        dt.date(2024, 11, 21),
        "logistik",
        "Hanya dua TPS yang dipindah karena lokasi semula tergenang banjir; pemindahan "
        "diumumkan PPS dan tertulis di surat pemberitahuan (C6) yang dibagikan ke pemilih.",
    ),
    _debunk(
        "nyoblos-pakai-ktp-di-mana-saja",
        "KPU Kutai Timur membolehkan pemilih mencoblos di TPS mana saja cukup dengan membawa KTP.",
        "menyesatkan",
        dt.date(2024, 11, 20),
        "pemilih",
        "Pemilih yang tidak terdaftar di DPT boleh memilih dengan KTP-el (sebagai DPK) hanya "
        "di TPS sesuai alamat KTP-el-nya, pada satu jam terakhir dan selama surat suara masih "
        "ada. KTP dari luar Kutai Timur tidak bisa dipakai memilih bupati Kutai Timur.",
    ),
    _debunk(
        "kotak-suara-hanyut-busang",
        "Kotak suara untuk Kecamatan Busang hanyut di Sungai Telen lalu diganti kotak berisi "
        "surat suara yang sudah dicoblos.",
        "salah",
        dt.date(2024, 11, 23),
        "logistik",
        "Longboat pengangkut logistik ke Busang memang tertahan di riam Sungai Telen karena "
        "arus deras, tetapi muatan aman, tersegel dan dikawal polisi dan TNI. Tidak ada kotak "
        "suara yang hanyut atau diganti.",
    ),
    _debunk(
        "bansos-dicabut-jika-tidak-pilih",
        "Penerima bansos di Kutai Timur akan dicoret dari daftar jika tidak memilih paslon "
        "tertentu.",
        "salah",
        dt.date(2024, 11, 8),
        "pemilih",
        "Dinas Sosial menyatakan data penerima bansos tidak berkaitan dengan pilihan politik; "
        "pilihan di bilik suara rahasia dan tidak bisa diketahui siapa pun.",
    ),
    _debunk(
        "pemilih-siluman-tambang",
        "Ada ribuan pemilih siluman dari luar daerah di DPT Kutai Timur yang didaftarkan "
        "lewat perusahaan tambang.",
        "tidak_terbukti",
        dt.date(2024, 11, 14),
        "pemilih",
        "Bawaslu Kutai Timur mencermati DPT di TPS lokasi khusus perusahaan dan tidak "
        "menemukan bukti pendaftaran massal pemilih fiktif; pemilih di sana adalah karyawan "
        "yang pindah memilih dengan dokumen sah. Pengawasan tetap dilakukan.",
    ),
)


def debunks() -> list[DemoDebunk]:
    """The fact-checks the media desk already knows (13: six national, seven local)."""
    return list(_DEBUNKS)


# --- Handles ------------------------------------------------------------------------------------

OFFICIAL = {
    "kpu": "kpu_kutim.demo",
    "bawaslu": "bawaslu_kutim.demo",
    "polres": "polres_kutim.demo",
    "diskominfo": "diskominfo_kutim.demo",
    "pemkab": "humas_pemkab_kutim.demo",
}
NEWS = ("kabar_sangatta", "tepian_kutim_news", "borneo_timur_pos", "radio_swara_etam")
PAGES = ("info_kutim_terkini", "sangatta_bersuara", "seputar_bengalon", "kutim_update24")
_FIRST = (
    "dayang", "iwan", "sari", "yanti", "fajar", "rudi", "nanda", "anca", "lala", "ujang",
    "ipul", "dedi", "mira", "tika", "wawan", "beni", "ayu", "hendra", "ucup", "dimas",
    "putri", "kiki", "rahmat", "syam", "ema", "tono", "linda", "yosef", "agus", "yuli",
)  # fmt: skip
_SUFFIX = ("_kutim", ".sgt", "88", ".borneo", "_etam", "2024", "_sangatta", "_kaltim")

_HOSTS = {
    "facebook": "fb.contoh.id",
    "x": "x.contoh.id",
    "tiktok": "tiktok.contoh.id",
    "instagram": "ig.contoh.id",
    "whatsapp": "wa-aduan.contoh.id",
    "news": "berita.contoh.id",
}


def _citizens() -> tuple[str, ...]:
    """Invented personal handles: every first name with two of the suffixes."""
    return tuple(
        f"{name}{_SUFFIX[(i + j * 3) % len(_SUFFIX)]}"
        for i, name in enumerate(_FIRST)
        for j in range(2)
    )


CITIZENS = _citizens()


def _url(platform: str, handle: str, key: str) -> str:
    return f"https://{_HOSTS[platform]}/{handle}/{key}"


# --- Background chatter -------------------------------------------------------------------------
# Templates with slots: {kec} a kecamatan name, {remote} a remote one, {p} a pair number, {tag}
# its tagline, {slogan} its slogan, {town} a kecamatan town, {n} a small number, {dpt} and {tps}
# the regency's voters and TPS. Each entry: (platforms, who, hours, template); who is "citizen",
# "page" or "news"; hours the local hours the post may appear in (None: any).

_DAY = range(6, 23)
_MORNING = range(5, 11)
_EVENING = range(17, 24)

_BACKGROUND = (
    # The last debate (Thursday evening) and the candidates.
    ("x facebook", "citizen", None,
     "Debat terakhir Kamis malam paslon {p} paling jelas soal jalan poros {kec}. Yang lain "
     "cuma janji."),
    ("x facebook tiktok", "citizen", None,
     "Nonton ulang debat pilkada Kutim, paslon {p} ditanya soal air bersih PDAM malah bahas "
     "sawit wkwk"),
    ("x", "citizen", None,
     "Jujur debat pilkada Kutim tahun ini lebih seru dari tahun lalu. Semoga siapapun menang "
     "jalan ke {kec} diperbaiki."),
    ("news", "news", None,
     "Rangkuman debat publik terakhir Pilkada Kutai Timur: ketiga paslon adu program soal "
     "infrastruktur, honor guru dan ganti rugi lahan tambang."),
    ("facebook", "citizen", None,
     "Yang saya tunggu dari paslon {p} itu janji honor guru honorer di {kec}, jangan cuma "
     "pas kampanye."),
    ("instagram", "citizen", None,
     "Salam dari {kec}! Siapapun bupatinya nanti, tolong harga TBS sawit petani diperhatikan."),
    ("x", "citizen", None,
     "Moderator debat Kamis malam perlu dikasih penghargaan, sabar banget ngadepin paslon {p}."),
    # Supporters (some still campaigning in the quiet period).
    ("facebook instagram", "citizen", None,
     "{tag} pasti menang! Paslon {p} untuk Kutim yang lebih baik. {slogan}!"),
    ("tiktok", "citizen", None,
     "Tim {tag} {kec} tetap solid walau masa tenang. Tanggal 27 jangan lupa ke TPS ya"),
    ("facebook", "citizen", None,
     "Bismillah, keluarga besar kami di {kec} sudah mantap. Yang penting pilkada damai."),
    ("x", "citizen", None,
     "Masih ada yang posting ajakan pilih paslon {p} padahal sudah masa tenang. Bawaslu cek dong."),
    # Logistics in general (the legs themselves come from kutai_timur.DISTRIBUTION below).
    ("facebook news", "page", None,
     "PPS di {kec} sudah menyiapkan tempat penyimpanan di kantor desa, menunggu kotak suara "
     "dari PPK. Semoga lancar sampai TPS."),
    ("x", "citizen", None,
     "Salut sama petugas logistik KPU yang bawa kotak suara naik perahu ke hulu. Kerja "
     "keras demi pilkada."),
    ("tiktok", "citizen", None,
     "POV: kotak suara pilkada naik longboat lewat sungai ke {remote}, hujan pula. Semangat "
     "bapak2"),
    ("news", "news", None,
     "PPK {kec} siap menerima logistik Pilkada 2024; gudang kecamatan dijaga bergantian oleh "
     "Linmas dan polisi."),
    ("facebook", "page", None,
     "Warga {kec}: surat pemberitahuan memilih (C6) mulai dibagikan KPPS. Cek nama dan nomor "
     "TPS kalian."),
    # Weather and roads.
    ("x facebook", "citizen", None,
     "Hujan deras lagi di Sangatta. Jalan poros ke {kec} licin, hati2 yang bawa motor."),
    ("facebook", "page", None,
     "Info jalan: ruas poros Sangatta – Rantau Pulung becek dan berlubang setelah hujan. "
     "Truk sawit antre di tanjakan."),
    ("x", "citizen", _MORNING,
     "Pagi ini macet di simpang Sangatta Selatan, ada truk mogok. Cari jalan lain."),
    ("instagram", "citizen", None,
     "Langit {town} habis hujan cakep banget. Semoga cerah terus sampai hari pencoblosan."),
    ("news", "news", None,
     "BMKG memperkirakan hujan sedang hingga lebat di wilayah Kutai Timur sampai akhir pekan; "
     "warga bantaran sungai diminta waspada."),
    ("facebook", "citizen", None,
     "Sungai di {kec} naik lagi semalam. Semoga TPS di dekat sungai aman pas hari H."),
    ("whatsapp", "citizen", None,
     "Info grup: jalan ke {kec} longsor kecil di km 12, bisa lewat satu jalur, antre."),
    # Everyday life and jokes.
    ("x", "citizen", None,
     "Masa tenang tapi grup WA keluarga masih rame debat paslon. Tenang apanya wkwk"),
    ("tiktok", "citizen", None,
     "Tips anti baper pilkada: beda pilihan boleh, beda warung kopi jangan wkwk"),
    ("x", "citizen", None,
     "Spanduk paslon di depan rumah sudah diturunkan, sekarang tiang bambunya jadi jemuran."),
    ("instagram", "citizen", range(15, 19),
     "Ngopi sore di tepi sungai {town}, obrolannya pilkada lagi pilkada lagi."),
    ("facebook", "citizen", None,
     "Harga cabai di pasar Sangatta naik lagi. Bupati baru nanti tolong urus ini juga."),
    ("x", "citizen", _EVENING,
     "Malam minggu di Sangatta sepi, semua nonton bola atau debat ulangan?"),
    ("tiktok", "citizen", None,
     "Nenek saya tanya paslon 03 itu yang mana, saya bilang nanti lihat saja di surat suara."),
    ("facebook", "citizen", None,
     "Anak kos pekerja tambang di {kec}, sudah urus pindah memilih belum? Jangan golput."),
    ("x", "citizen", None,
     "Pemilih pemula di Kutim! 27 November libur, jadi gak ada alasan gak ke TPS."),
    # Pages and news on the election in general.
    ("facebook instagram", "page", None,
     "Cek DPT online sebelum 27 November. Kalau nama tidak ada, datang bawa KTP-el ke TPS "
     "sesuai alamat KTP di jam terakhir."),
    ("news", "news", None,
     "KPU Kutai Timur: {dpt} pemilih di {tps} TPS pada Pilkada 27 November 2024."),
    ("news", "news", None,
     "Satpol PP bersama Panwascam menertibkan alat peraga kampanye di {kec} pada hari pertama "
     "masa tenang."),
    ("news", "news", None,
     "Ratusan personel gabungan Polres Kutai Timur dan Kodim 0909 disiagakan untuk pengamanan "
     "TPS di {kec}."),
    ("facebook", "page", None,
     "Lowongan: dibutuhkan Linmas tambahan untuk TPS di {kec}, hubungi kantor desa masing2."),
    ("news", "news", None,
     "Panwascam {kec} menemukan {n} alat peraga paslon {p} masih terpasang; langsung "
     "ditertibkan."),
    ("news", "news", None,
     "PLN menyiagakan genset untuk PPK dan gudang logistik di {kec} selama masa tenang hingga "
     "rekapitulasi."),
    ("news", "news", None,
     "Harga TBS sawit di tingkat petani {kec} naik tipis pekan ini, jadi bahan kampanye "
     "terakhir paslon {p}."),
    ("facebook", "citizen", None,
     "Di {kec} tenda TPS sudah mulai dipasang? Di tempat kami belum, katanya tunggu H-1."),
    ("x", "citizen", None,
     "Paslon {p} janji internet masuk desa di {kec}. Semoga bukan janji musiman."),
    ("instagram tiktok", "citizen", None,
     "Perjalanan Sangatta – {kec} musim hujan: {n} jam, dua kali dorong motor wkwk"),
    ("facebook", "page", None,
     "Kapal penumpang ke {remote} besok tetap jalan; air sungai mulai surut kata warga."),
    ("x", "citizen", None,
     "KPPS di desa kami di {kec} sudah latihan simulasi penghitungan suara. Mantap."),
    ("whatsapp", "citizen", None,
     "Info dari PPS: pemilih di {kec} yang pindah domisili, cek lagi nama di DPT sebelum "
     "tanggal 27."),
    ("facebook", "citizen", None,
     "Buat paslon {p}: jangan lupa nasib petani sawit plasma di {kec}. Kami tunggu bukti."),
    ("tiktok", "citizen", None,
     "Tebak-tebakan: siapa yang menang di {kec}? Jawab di komentar, tapi santai ya masa tenang"),
    ("x", "citizen", _EVENING,
     "Listrik padam lagi di {kec} malam ini. Semoga hari H aman, kasihan KPPS hitung suara "
     "pakai senter."),
    ("instagram", "page", None,
     "Potret petugas PPK {kec} memeriksa segel kotak suara sebelum disimpan di gudang "
     "kecamatan."),
    ("facebook", "citizen", None,
     "Yang di {kec}, ajak orang tua ke TPS tanggal 27 ya. Satu suara sangat berarti."),
    ("x", "citizen", _MORNING,
     "Cuaca {town} pagi ini cerah, semoga sampai hari Rabu begini terus."),
)  # fmt: skip
# What people add at the end of a post (news articles get none).
_TAILS = ("", "", "", "", " #Kutim", " #PilkadaKutim", " #PilkadaDamai", " 🙏", " Setuju?")
# A filled template appears at most this many times in the day, whatever its tail.
MAX_REPEATS = 2

# Official notices of the quiet period (background: story ""), each posted once.
_NOTICES = (
    ("kpu", "instagram", 1380,
     "Hari terakhir kampanye Pilkada Kutai Timur. Mulai 24–26 November 2024 masa tenang: tidak "
     "ada kegiatan kampanye dalam bentuk apa pun."),
    ("bawaslu", "facebook", 800,
     "Masa tenang dimulai pukul 00.00 WITA. Kampanye di media sosial, pemasangan APK dan "
     "pembagian uang atau barang dilarang. Laporkan ke Bawaslu Kutai Timur atau Panwascam."),
    ("bawaslu", "x", 560,
     "Tolak dan laporkan politik uang di masa tenang. Pemberi dan penerima sama-sama dapat "
     "dipidana."),
    ("kpu", "facebook", 330,
     "Pergeseran logistik Pilkada ke kecamatan jauh berlangsung sejak kemarin. Hari ini menyusul "
     "Sangkulirang, Telen, Muara Wahau, Kombeng dan Karangan."),
    ("polres", "instagram", 290,
     "Polres Kutai Timur mengawal pergeseran logistik pilkada ke seluruh kecamatan, lewat darat, "
     "sungai dan laut. Personel gabungan bersama Kodim 0909."),
    ("diskominfo", "facebook", 240,
     "Saring sebelum sharing. Menjelang pencoblosan banyak kabar lama diedarkan lagi. Cek dulu "
     "di kanal resmi KPU, Bawaslu dan Pemkab Kutai Timur."),
    ("pemkab", "instagram", 200,
     "Pjs Bupati Kutai Timur mengajak ASN menjaga netralitas dan warga menjaga suasana sejuk "
     "di masa tenang."),
    ("bawaslu", "instagram", 150,
     "Patroli pengawasan masa tenang hari ini di 18 kecamatan. APK yang masih terpasang akan "
     "ditertibkan bersama Satpol PP."),
    ("polres", "x", 95,
     "Personel Polres Kutai Timur patroli cipta kondisi malam minggu di titik keramaian "
     "Sangatta. Situasi aman dan kondusif."),
    ("kpu", "instagram", 40,
     "Pemilih yang belum menerima surat pemberitahuan (C6) sampai H-1 dapat menghubungi PPS "
     "di desa masing-masing."),
)  # fmt: skip


def _local(minutes_before_now: int) -> dt.datetime:
    return facts.DEMO_NOW_LOCAL - dt.timedelta(minutes=minutes_before_now)


def _activity(minutes_before_now: int) -> float:
    """How busy social media is at that local time (late night is quiet)."""
    hour = _local(minutes_before_now).hour
    if hour < 5:
        return 0.15
    if hour < 7:
        return 0.5
    if hour >= 23:
        return 0.4
    return 1.0


def _minute(rng: random.Random, hours=None, earliest: int = DAY_MINUTES) -> int:
    """A minute before now in [0, earliest], following the day's activity and ``hours``."""
    while True:
        m = rng.randint(0, earliest)
        if hours is not None and _local(m).hour not in hours:
            continue
        if rng.random() < _activity(m):
            return m


def _engagement(rng: random.Random, scale: float) -> tuple[int, int, int]:
    likes = int(rng.lognormvariate(2.5, 1.0) * scale)
    return likes, int(likes * rng.uniform(0.02, 0.25)), int(likes * rng.uniform(0.05, 0.3))


def _handle(rng: random.Random, who: str) -> str:
    pool = {"citizen": CITIZENS, "page": PAGES, "news": NEWS}[who]
    return rng.choice(pool)


def _fill(rng: random.Random, template: str) -> str:
    paslon = rng.choice(PASLON)
    code = rng.choice(sorted(KECAMATAN_NAMES))
    remote = rng.choice(sorted(facts.REMOTE_KECAMATAN))
    return template.format(
        remote=KECAMATAN_NAMES[remote],
        p=paslon.number,
        tag=paslon.tagline,
        slogan=paslon.slogan,
        kec=KECAMATAN_NAMES[code],
        town=facts.KECAMATAN[code].town,
        n=rng.randint(3, 9),
        dpt=f"{facts.TOTAL_DPT:,}".replace(",", "."),
        tps=facts.TOTAL_TPS,
    )


def _legs_departed() -> list[tuple[facts.DistributionLeg, int]]:
    """The logistics legs that left before now, with minutes since their real departure."""
    out = []
    for leg in facts.DISTRIBUTION:
        left = leg.departure + dt.timedelta(minutes=leg.late_minutes)
        minutes = int((facts.DEMO_NOW_LOCAL - left).total_seconds() // 60)
        if minutes >= 0:
            out.append((leg, min(minutes, DAY_MINUTES)))
    return out


def _logistics_posts(rng: random.Random) -> list[tuple[int, str, str, str]]:
    """News and sightings of the legs on the way: (minute, platform, handle, text)."""
    out = []
    for leg, since in _legs_departed():
        kec = KECAMATAN_NAMES[leg.kecamatan]
        left = leg.departure + dt.timedelta(minutes=leg.late_minutes)
        minute = _minute(rng, earliest=since)
        day = "hari ini" if left.date() == _local(minute).date() else "kemarin"
        news = (
            f"Logistik Pilkada untuk Kecamatan {kec} berangkat {day} pukul {left:%H.%M} WITA "
            f"dari gudang KPU Sangatta, diangkut {leg.carrier} dan dikawal {leg.escort}. "
            f"Rute: {leg.route}."
        )
        out.append((minute, "news", rng.choice(NEWS), news))
        if leg.mode != "road" and leg.held_at is None:
            seen = (
                f"Barusan lihat {leg.carrier} lewat bawa kotak suara ke arah "
                f"{facts.KECAMATAN[leg.kecamatan].town}. Dikawal polisi sama tentara. "
                f"Semoga selamat sampai {kec}."
            )
            platform = rng.choice(("facebook", "tiktok", "instagram"))
            # Seen from the bank once the boat is on the river, hours after leaving Sangatta.
            minute = _minute(rng, hours=_DAY, earliest=max(since - 180, 0))
            out.append((minute, platform, rng.choice(CITIZENS), seen))
        if leg.note:
            note = f"Pengiriman logistik Pilkada ke {kec}: {leg.note}"
            minute = _minute(rng, earliest=min(since, 600))
            out.append((minute, "news", rng.choice(NEWS), note))
    return out


# --- The stories --------------------------------------------------------------------------------

_HOAX_OPENINGS = (
    "VIRAL!!", "Innalillahi...", "Tolong disebar sebelum dihapus!", "Astaga warga Kutim,",
    "BREAKING:", "Info dari orang dalam:", "", "Cek ini bosku,", "Lihat sendiri,", "Waduh",
)  # fmt: skip
_HOAX_CORES = (
    "ribuan surat suara Pilkada Kutai Timur sudah tercoblos untuk paslon 02 ditemukan di "
    "gudang logistik KPU Sangatta",
    "surat suara Pilkada Kutim sudah tercoblos paslon 02, ribuan lembar ditemukan di gudang "
    "logistik KPU di Sangatta",
    "ditemukan ribuan surat suara sudah dicoblos untuk paslon 02 di gudang logistik KPU Kutai "
    "Timur, Sangatta",
    "ribuan surat suara sudah tercoblos utk paslon 02 ditemukan di gudang KPU Sangatta, Pilkada "
    "Kutai Timur sudah diatur",
    "gudang logistik KPU Sangatta penuh surat suara Pilkada Kutai Timur yang sudah tercoblos "
    "untuk paslon 02, ribuan lembar",
    "surat suara pilkada Kutai Timur ditemukan sudah tercoblos paslon 02 di gudang logistik KPU "
    "Sangatta, jumlahnya ribuan",
)
_HOAX_CLOSINGS = (
    "Pilkada sudah diatur!", "KPU wajib jelaskan!", "Bawaslu ke mana?", "Jaga suara kita!",
    "Sebarkan sebelum dihapus.", "Masih mau percaya KPU?", "", "Ini baru ketahuan lagi.",
)  # fmt: skip


def _post(
    rng: random.Random,
    key: str,
    minute: int,
    platform: str,
    handle: str,
    text: str,
    story: str = "",
    *,
    scale: float = 1.0,
    shares_x: int = 1,
    counts: tuple[int, int, int] | None = None,
    official: bool = False,
    reply_to: str | None = None,
    debunk: str = "",
) -> DemoPost:
    """One post with its demo URL; engagement drawn at ``scale`` unless ``counts`` fixes it."""
    likes, shares, replies = counts or _engagement(rng, scale)
    url = _url(platform, handle, key)
    return DemoPost(
        key, minute, platform, handle, official, text, url,
        likes, shares * shares_x, replies, reply_to, story, debunk,
    )  # fmt: skip


def _resurfacing_hoax(rng: random.Random) -> list[DemoPost]:
    """The debunked ballot claim, reposted in rewordings: a wave at night, another this morning."""
    story, debunk = "resurfacing_hoax", RESURFACING_DEBUNK
    lead_text = (
        "VIRAL!! Ribuan surat suara Pilkada Kutai Timur sudah tercoblos untuk paslon 02 "
        "ditemukan di gudang logistik KPU di Sangatta. Foto dari orang dalam. Masih mau "
        "percaya KPU? Sebarkan!"
    )
    chain_text = (
        "Diteruskan berkali-kali: Info dari orang dalam: ribuan surat suara Pilkada Kutai Timur "
        "sudah tercoblos untuk paslon 02 ditemukan di gudang logistik KPU Sangatta. Jaga suara "
        "kita!"
    )
    out = [
        _post(rng, RESURFACING_LEAD, 402, "facebook", "sangatta_bersuara", lead_text, story,
              counts=(412, 873, 236), debunk=debunk),
        _post(rng, RESURFACING_CHAIN, 290, "whatsapp", "grup_wa_rt_swarga_bara", chain_text,
              story, counts=(0, 57, 12), debunk=debunk),
    ]  # fmt: skip
    for i in range(1, 31):
        # A first wave the evening before, then most after the lead post at dawn.
        minute = rng.randint(700, 1100) if i <= 6 else rng.randint(0, 400)
        platform = rng.choice(("facebook", "whatsapp", "whatsapp", "x", "tiktok", "facebook"))
        parts = (rng.choice(_HOAX_OPENINGS), rng.choice(_HOAX_CORES) + ".")
        text = " ".join(p for p in (*parts, rng.choice(_HOAX_CLOSINGS)) if p)
        if platform == "tiktok":
            text = "[video] " + text
        if platform == "whatsapp":
            text = "Diteruskan berkali-kali: " + text
        handle = rng.choice(CITIZENS + PAGES[:2])
        out.append(
            _post(rng, f"hoaks-ss-{i:02d}", minute, platform, handle, text, story,
                  scale=4.0, shares_x=2, debunk=debunk)
        )  # fmt: skip
    return out


def _hoax_replies(rng: random.Random) -> list[DemoPost]:
    """Citizens and the KPU answering the lead hoax post."""
    texts = (
        (False, "citizen_correction", 380,
         "Ini hoaks lama bulan Oktober, sudah dibantah KPU. Itu surat suara rusak hasil sortir."),
        (False, "citizen_correction", 350, "Foto lama diedarkan lagi. Cek dulu sebelum share."),
        (False, "", 330, "Serius ini? Di gudang mana? Kok baru sekarang rame"),
        (False, "", 300, "Pantas saja paslon 02 pede banget."),
        (True, "official_clarification", 128,
         "KLARIFIKASI: foto surat suara 'sudah tercoblos' di gudang logistik KPU Sangatta yang "
         "beredar lagi adalah surat suara rusak yang disortir akhir Oktober dan sudah "
         "dimusnahkan di depan Bawaslu, polisi dan saksi paslon. Tidak ada surat suara yang "
         "dicoblos."),
    )  # fmt: skip
    out = []
    for i, (official, story, minute, text) in enumerate(texts, start=1):
        handle = OFFICIAL["kpu"] if official else rng.choice(CITIZENS)
        out.append(
            _post(rng, f"balasan-ss-{i:02d}", minute, "facebook", handle, text, story,
                  scale=6.0 if official else 0.8, official=official, reply_to=RESURFACING_LEAD)
        )  # fmt: skip
    return out


_PROVOCATIONS = (
    "Warga {kec}, kumpul di simpang {desa} besok pagi! Tutup jalan poros Sangatta–{kec}, "
    "jangan biarkan orang luar atur pilkada kita.",
    "Ayo warga {desa} dan sekitarnya kumpul di simpang {desa}. Blokade jalan poros "
    "Sangatta–{kec} sampai pekerja tambang luar pulang kampung!",
    "Pekerja tambang dari luar mau nyoblos di {kec} pakai KTP luar. Kita sweeping mess "
    "karyawan di {desa} malam ini!",
    "Sweeping pendatang di {desa}! Yang tidak punya KTP {kec} jangan ikut nyoblos. Kumpul di "
    "simpang {desa}.",
    "{kec} bukan tempat titipan suara! Besok kumpul di simpang {desa}, tutup jalan poros "
    "Sangatta–{kec}.",
    "Info grup: malam ini kumpul di {desa}, kita jaga kampung, sweeping orang luar yang "
    "bawa KTP luar {kec}.",
    "Kalau KPU diam, warga {kec} bergerak. Tutup jalan poros di {desa}, truk logistik jangan "
    "lewat dulu!",
    "Pemuda {desa} siaga! Kumpul di simpang {desa}, sweeping pendukung bayaran dari luar.",
)
# Early seeds: a trickle through the night before the burst (at most two per 3-hour window).
_PROVOCATION_SEEDS = (1310, 1120, 1015, 870, 705, 590, 455, 330, 250, 205)
_PROVOCATION_BURST = 45


def _provocation_text(rng: random.Random) -> str:
    desa = rng.choice(sorted(PROVOCATIVE_DESA.values()))
    text = rng.choice(_PROVOCATIONS).format(kec=KECAMATAN_NAMES[PROVOCATIVE_KECAMATAN], desa=desa)
    return text + rng.choice(("", " #BengalonBersatu", " Sebarkan!", " Jangan diam!"))


def _provocative_narrative(rng: random.Random) -> list[DemoPost]:
    """Calls to gather, block the road and 'sweep' outsiders in Bengalon, accelerating."""
    story = "provocative_narrative"
    minutes = list(_PROVOCATION_SEEDS)
    # The burst of the last three hours: denser towards now (u**0.5 leans to 1).
    minutes += [int(178 * (1 - rng.random() ** 0.5)) for _ in range(_PROVOCATION_BURST)]
    lead_text = (
        "SERUAN! Warga Bengalon kumpul besok pagi di simpang Sepaso. Tutup jalan poros "
        "Sangatta–Bengalon, sweeping pekerja tambang luar yang mau nyoblos pakai KTP luar di "
        "mess Tepian Langsat dan Tebangan Lembak. Bengalon bukan tempat titipan suara!"
    )
    video_text = (
        "[video] Warga Bengalon kumpul di simpang Sepaso! Tutup jalan poros Sangatta–Bengalon, "
        "sweeping pekerja tambang luar di Tepian Langsat."
    )
    out = [
        _post(rng, PROVOCATIVE_LEAD, 176, "facebook", "seputar_bengalon", lead_text, story,
              counts=(688, 1240, 415)),
        _post(rng, PROVOCATIVE_VIDEO, 58, "tiktok", "pemuda_bengalon_bergerak", video_text,
              story, counts=(954, 388, 201)),
    ]  # fmt: skip
    for i, minute in enumerate(sorted(minutes, reverse=True), start=1):
        platform = rng.choice(("facebook", "whatsapp", "whatsapp", "x", "tiktok"))
        handle = rng.choice(CITIZENS + ("seputar_bengalon", "info_kutim_terkini"))
        # Engagement grows as the narrative spreads.
        scale = 1.0 + 4.0 * (1 - minute / DAY_MINUTES)
        reply_to = PROVOCATIVE_LEAD if minute < 176 and rng.random() < 0.2 else None
        out.append(
            _post(rng, f"provokasi-bengalon-{i:02d}", minute, platform, handle,
                  _provocation_text(rng), story, scale=scale, shares_x=3, reply_to=reply_to)
        )  # fmt: skip
    return out


_HATE = (
    (640, "x", "Pendatang itu cuma numpang cari makan di Kutim, jangan ikut-ikutan atur siapa "
     "bupati kita."),
    (520, "facebook", "Jangan pilih pemimpin yang tidak seiman, nanti kampung kita dijual ke "
     "orang luar."),
    (365, "tiktok", "[video] Orang seberang sudah kuasai tambang, sekarang mau kuasai "
     "pilkada juga. Usir saja."),
    (210, "whatsapp", "Yang bukan asli sini lebih baik diam di mess, tanggal 27 tidak usah "
     "keluar."),
    (88, "x", "Kelompok pendatang itu dari dulu bikin rusuh, jangan kasih tempat di Bengalon."),
    (25, "facebook", "Pilih yang sesuku saja, yang lain pasti cuma urus kelompoknya sendiri."),
)  # fmt: skip


def _hate(rng: random.Random) -> list[DemoPost]:
    """Mild SARA posts: against 'outsiders' and other faiths, no real group named."""
    return [
        _post(rng, f"sara-{i:02d}", minute, platform, rng.choice(CITIZENS), text, "hate",
              scale=1.5)
        for i, (minute, platform, text) in enumerate(_HATE, start=1)
    ]  # fmt: skip


# Other debunked claims, reposted once (story "known_hoax").
_KNOWN_HOAXES = (
    ("tinta-1", 1200, "whatsapp", "tinta-pemilu-haram",
     "Hati-hati! Tinta pemilu di jari pemilih mengandung bahan haram dan merusak kulit, wudu "
     "jadi tidak sah. Pakai sarung tangan saja."),
    ("mundur-1", 760, "facebook", "paslon-03-mundur",
     "Breaking: paslon 03 Hasanuddin Lembang – Dewi Kartikasari mengundurkan diri dari Pilkada "
     "Kutai Timur, pendukungnya diminta memilih paslon lain."),
    ("ktp-1", 470, "tiktok", "nyoblos-pakai-ktp-di-mana-saja",
     "[video] Kata KPU Kutai Timur boleh nyoblos di TPS mana saja cukup bawa KTP. Jadi "
     "teman2 dari luar bisa ikut!"),
    ("hanyut-1", 615, "facebook", "kotak-suara-hanyut-busang",
     "Kotak suara untuk Kecamatan Busang hanyut di Sungai Telen, terus diganti kotak yang isinya "
     "surat suara sudah dicoblos. Ada yang tahu?"),
    ("diundur-1", 985, "x", "pilkada-diundur-2025",
     "Katanya pilkada serentak 27 November diundur ke 2025 karena anggaran tidak cukup. Benar?"),
)  # fmt: skip


def _known_hoaxes(rng: random.Random) -> list[DemoPost]:
    return [
        _post(rng, f"hoaks-{key}", minute, platform, rng.choice(CITIZENS), text, "known_hoax",
              scale=2.0, debunk=debunk)
        for key, minute, platform, debunk, text in _KNOWN_HOAXES
    ]  # fmt: skip


# Posts the analysts rule on individually: true logistics news someone flagged, a rumour of
# vote buying, and the official answers to the day's stories.
_SINGLES = (
    ("info-longboat-busang", 540, "news", "radio_swara_etam", False, "",
     "Longboat pengangkut logistik Pilkada ke Busang tertahan di riam Sungai Telen karena arus "
     "deras setelah hujan di hulu. Petugas memastikan kotak suara tersegel dan muatan aman.",
     None),
    ("rumor-amplop-kaliorang", 300, "whatsapp", "anca.sgt", False, "rumour",
     "Katanya semalam ada bagi-bagi amplop di Bangun Jaya, Kaliorang, atas nama salah satu "
     "paslon. Ada yang lihat langsung?",
     None),
    ("klarifikasi-polres-bengalon", 35, "instagram", OFFICIAL["polres"], True,
     "official_clarification",
     "Polres Kutai Timur memantau ajakan berkumpul dan menutup jalan poros Sangatta–Bengalon "
     "yang beredar di media sosial. Jangan terprovokasi: pergeseran logistik dikawal dan "
     "penyebar ajakan sweeping akan ditindak sesuai hukum.",
     PROVOCATIVE_LEAD),
    ("kontra-narasi-diskominfo", 22, "facebook", OFFICIAL["diskominfo"], True,
     "official_clarification",
     "CEK FAKTA: kabar ribuan surat suara sudah tercoblos di gudang logistik KPU Sangatta adalah "
     "hoaks lama. Surat suara rusak hasil sortir sudah dimusnahkan dengan berita acara. "
     "Selengkapnya: https://diskominfo.contoh.id/kontra-narasi/surat-suara-tercoblos",
     None),
    ("klarifikasi-bawaslu-ktp", 60, "x", OFFICIAL["bawaslu"], True, "official_clarification",
     "Pemilih tanpa nama di DPT hanya bisa memilih dengan KTP-el di TPS sesuai alamat KTP-el, "
     "pada jam terakhir. KTP luar Kutai Timur tidak bisa dipakai. Jangan main hakim sendiri.",
     None),
)  # fmt: skip


def _singles(rng: random.Random) -> list[DemoPost]:
    return [
        _post(rng, key, minute, platform, handle, text, story, scale=5.0 if official else 1.5,
              official=official, reply_to=reply_to)
        for key, minute, platform, handle, official, story, text, reply_to in _SINGLES
    ]  # fmt: skip


def _notices(rng: random.Random) -> list[DemoPost]:
    return [
        _post(rng, f"resmi-{agency}-{i:02d}", minute, platform, OFFICIAL[agency], text,
              scale=5.0, official=True)
        for i, (agency, platform, minute, text) in enumerate(_NOTICES, start=1)
    ]  # fmt: skip


BACKGROUND_COUNT = 400


def _background(rng: random.Random) -> list[DemoPost]:
    """Ordinary chatter: templates filled at random, plus the logistics legs on the way."""
    rows = _logistics_posts(rng)
    seen: Counter[str] = Counter()
    while len(rows) < BACKGROUND_COUNT:
        platforms, who, hours, template = rng.choice(_BACKGROUND)
        text = _fill(rng, template)
        if seen[text] >= MAX_REPEATS:
            continue
        seen[text] += 1
        platform = rng.choice(platforms.split())
        if platform != "news":
            text += rng.choice(_TAILS)
        handle = _handle(rng, "news" if platform == "news" else who)
        rows.append((_minute(rng, hours=hours), platform, handle, text))
    out = [
        _post(rng, f"latar-{i:03d}", minute, platform, handle, text,
              scale=3.0 if handle in NEWS else 1.0)
        for i, (minute, platform, handle, text) in enumerate(rows, start=1)
    ]  # fmt: skip
    return _with_replies(rng, out)


def _with_replies(rng: random.Random, out: list[DemoPost]) -> list[DemoPost]:
    """Make about one background post in eight (never a news article) a reply to an earlier one."""
    result = []
    for post in out:
        if post.platform != "news" and rng.random() < 0.14:
            earlier = [p for p in out if p.minutes_before_now > post.minutes_before_now]
            if earlier:
                parent = rng.choice(earlier)
                post = DemoPost(**{**post.__dict__, "reply_to": parent.key})
        result.append(post)
    return result


@functools.cache
def _all_posts() -> tuple[DemoPost, ...]:
    rng = random.Random(SEED)  # noqa: S311 - a demo, not a secret
    out = (
        _background(rng)
        + _notices(rng)
        + _resurfacing_hoax(rng)
        + _hoax_replies(rng)
        + _known_hoaxes(rng)
        + _provocative_narrative(rng)
        + _hate(rng)
        + _singles(rng)
    )
    # Oldest first; the key breaks ties so the order never depends on generation order.
    return tuple(sorted(out, key=lambda p: (-p.minutes_before_now, p.key)))


def posts() -> list[DemoPost]:
    """The day's posts, oldest first (about 520, the same on every call)."""
    return list(_all_posts())


# --- The analysts' work -------------------------------------------------------------------------

_KONTRA_LINK = "https://diskominfo.contoh.id/kontra-narasi/surat-suara-tercoblos"

# The media desk works from 06.00 to 23.00 WITA: nothing is reviewed in the night, so the
# resurfacing wave that starts at 03.00 is met by the morning shift.
_ACTIONS = (
    # The resurfacing hoax: reviewed, matched, reported, answered.
    DemoAction(RESURFACING_LEAD, 235, ("sedang_diperiksa",), "",
               "Unggahan lama beredar lagi dengan sebaran tinggi; dicocokkan dengan cek fakta.",
               ""),
    DemoAction(RESURFACING_LEAD, 225, ("hoaks",), "",
               "Cocok dengan cek fakta 'surat suara tercoblos' (28 Oktober 2024): foto surat "
               "suara rusak hasil sortir.",
               "https://cekfakta.contoh.id/2024/10/surat-suara-tercoblos", RESURFACING_DEBUNK,
               ("hoaks", "politik")),
    DemoAction(RESURFACING_LEAD, 215, (), "lapor_platform",
               "Dilaporkan ke platform untuk diberi label hoaks dan dibatasi sebarannya.",
               "https://fb.contoh.id/laporan/KT-2411-0087"),
    DemoAction(RESURFACING_CHAIN, 200, ("sedang_diperiksa", "hoaks"), "lapor_kominfo",
               "Versi pesan berantai WhatsApp dari klaim yang sama; diteruskan ke aduan konten "
               "Komdigi.",
               "https://aduankonten.contoh.id/tiket/2411-5521", RESURFACING_DEBUNK,
               ("hoaks", "politik")),
    DemoAction(RESURFACING_LEAD, 22, (), "kontra_narasi",
               "Kontra-narasi diterbitkan Diskominfo Kutai Timur bersama klarifikasi KPU.",
               _KONTRA_LINK),
    # The provocative narrative in Bengalon: the lead post goes to the police.
    DemoAction(PROVOCATIVE_LEAD, 150, ("sedang_diperiksa",), "",
               "Ajakan berkumpul, menutup jalan poros dan sweeping di Bengalon menyebar cepat "
               "sejak pukul 07.00; jalan itu dipakai pergeseran logistik 25 November.",
               ""),
    DemoAction(PROVOCATIVE_LEAD, 70, ("tidak_terverifikasi",), "rujuk_polisi",
               "Klaim pekerja tambang luar didatangkan untuk mencoblos tidak dapat diverifikasi. "
               "Ajakan blokade dan sweeping dirujuk ke Polres Kutai Timur (Satintelkam) dan "
               "Polsek Bengalon untuk pengamanan simpang Sepaso.",
               "", "", ("provokasi", "politik")),
    DemoAction(PROVOCATIVE_VIDEO, 45, ("sedang_diperiksa", "tidak_terverifikasi"),
               "lapor_platform",
               "Video seruan yang sama; dikelompokkan ke narasi Bengalon dan diminta diturunkan.",
               "https://tiktok.contoh.id/laporan/KT-2411-0093", "", ("provokasi",)),
    # A SARA post: no false claim in it, but reported to the platform for what it says.
    DemoAction("sara-02", 190, ("sedang_diperiksa", "bukan_hoaks"), "lapor_platform",
               "Bukan klaim faktual, tetapi ujaran bernuansa SARA (agama) menjelang pencoblosan; "
               "diminta diturunkan.",
               "https://fb.contoh.id/laporan/KT-2411-0079", "", ("sara", "ujaran_kebencian")),
    DemoAction("sara-02", 100, ("selesai",), "", "Platform menurunkan unggahan.", ""),
    # Another known hoax, matched and reported, then taken down.
    DemoAction("hoaks-mundur-1", 720, ("sedang_diperiksa", "hoaks"), "lapor_platform",
               "Cocok dengan cek fakta 'paslon 03 mundur'; tangkapan layar surat palsu.",
               "https://fb.contoh.id/laporan/KT-2411-0071", "paslon-03-mundur",
               ("hoaks", "politik")),
    DemoAction("hoaks-mundur-1", 180, ("selesai",), "", "Unggahan sudah tidak tersedia.", ""),
    # True news someone flagged as a hoax.
    DemoAction("info-longboat-busang", 170, ("sedang_diperiksa", "bukan_hoaks"), "",
               "Sesuai laporan pergeseran logistik KPU: longboat ke Busang memang tertahan di "
               "riam, muatan aman. Bukan hoaks; klaim kotak suara hanyut yang salah.",
               ""),
    DemoAction("info-longboat-busang", 168, ("selesai",), "", "", ""),
    # A vote-buying rumour that cannot be verified.
    DemoAction("rumor-amplop-kaliorang", 160, ("sedang_diperiksa", "tidak_terverifikasi"), "",
               "Tidak ada saksi atau bukti; diteruskan ke Bawaslu Kutai Timur sebagai informasi "
               "awal pengawasan politik uang.",
               "", "", ("politik",)),
    # A post still under review when the demo opens.
    DemoAction("hoaks-ktp-1", 30, ("sedang_diperiksa",), "",
               "Klaim KTP di mana saja; sejalan dengan narasi Bengalon.", "",
               "nyoblos-pakai-ktp-di-mana-saja"),
)  # fmt: skip


def actions() -> list[DemoAction]:
    """What the media analysts did during the day, oldest first."""
    return sorted(_ACTIONS, key=lambda a: -a.minutes_before_now)
