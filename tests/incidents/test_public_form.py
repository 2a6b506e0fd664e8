"""The public report form at /lapor/ (no account) and the ticket check at /lapor/cek/.

A citizen's report is stored once (a double click with the same form key is one report),
anonymous unless they choose otherwise, with the photos' metadata removed; robots are kept out by
a honeypot, a minimum fill time, content limits and rate limits per IP and per device.
"""

from __future__ import annotations

import io
import re
import time

import pytest
from django.core.cache import cache
from django.test import Client
from PIL import Image

from siaga.incidents.forms import DEVICE_COOKIE, form_token
from siaga.incidents.models import Incident, Media

URL = "/lapor/"
CHECK = "/lapor/cek/"
TEXT = "Ada pembagian amplop berisi uang kepada warga di dekat balai desa pagi ini."
DEVICE = "perangkat-uji-0001-abcdef"


@pytest.fixture
def pub(world, inc_categories, inc_deployment, inc_media, settings):
    """A fresh, private rate-limit cache for every test."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "siaga-public-form-tests",
        }
    }
    settings.SIAGA_PUBLIC_REPORTS_PER_HOUR = 5
    cache.clear()
    yield world
    cache.clear()


def body(**extra) -> dict:
    """A valid form, shown 10 s ago; a value given as None is left out."""
    data = {
        "category": "politik-uang",
        "desa": "64.08.04.1001",
        "description": TEXT,
        "anonymous": "on",
        "form_token": form_token(issued_at=time.time() - 10),
        "website": "",
        **extra,
    }
    return {k: v for k, v in data.items() if v is not None}


def jpeg(name="bukti.jpg", *, gps: bool = False) -> io.BytesIO:
    image = Image.new("RGB", (32, 24), "navy")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    if gps:
        exif[0x8825] = {1: "S", 2: (1.0, 2.0, 3.0), 3: "E", 4: (117.0, 30.0, 0.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    out.seek(0)
    out.name = name
    return out


def errors_of(response, field: str) -> list[str]:
    html = response.content.decode()
    return re.findall(rf'data-error-for="{field}">([^<]*)<', html)


def post(client: Client, data: dict, **extra):
    return client.post(URL, data, **extra)


# --- the form ------------------------------------------------------------------------------------


def test_the_form_offers_the_regency_desa_by_kecamatan_and_is_anonymous_by_default(pub):
    response = Client().get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<optgroup label="Sangatta Utara">' in html and '<optgroup label="Busang">' in html
    assert 'value="64.08.04.1001"' in html and "Kasungai" not in html  # only this regency
    assert re.search(r'name="anonymous"[^>]*checked', html)
    assert 'name="form_token"' in html and 'name="website"' in html
    assert response.cookies[DEVICE_COOKIE].value  # a device id is handed out
    assert response["Cache-Control"] == "no-store"


def test_a_valid_report_is_stored_once_even_when_sent_twice(pub):
    client = Client()
    data = body()
    first = post(client, data)
    second = post(client, data)  # a double click: the same form key
    assert first.status_code == second.status_code == 200
    incident = Incident.objects.get()
    assert incident.ticket in first.content.decode() and incident.ticket in second.content.decode()
    assert incident.channel == "public" and incident.reporter is None
    assert incident.region_id == "64.08.04.1001" and incident.tps is None
    assert incident.anonymous is True and incident.description == TEXT
    assert "/lapor/cek/?tiket=" + incident.ticket in first.content.decode()


def test_anonymous_reports_keep_no_name_even_when_one_was_typed(pub):
    post(Client(), body(reporter_name="Budi", reporter_contact="0812 3456 7890"))
    incident = Incident.objects.get()
    assert (incident.anonymous, incident.reporter_name, incident.reporter_contact) == (True, "", "")


def test_a_named_report_keeps_the_name_and_phone(pub):
    data = body(anonymous=None, reporter_name="Budi Santoso", reporter_contact="0812-3456-7890")
    assert post(Client(), data).status_code == 200
    incident = Incident.objects.get()
    assert incident.anonymous is False
    assert (incident.reporter_name, incident.reporter_contact) == ("Budi Santoso", "0812-3456-7890")


def test_a_named_report_needs_a_name_and_a_valid_phone(pub):
    response = post(Client(), body(anonymous=None, reporter_contact="abc"))
    assert response.status_code == 400
    assert errors_of(response, "reporter_name") == [
        "Isi nama Anda, atau centang “Laporkan secara anonim”."
    ]
    assert errors_of(response, "reporter_contact") == ["Nomor telepon tidak sah (8–15 angka)."]
    assert not Incident.objects.exists()


def test_a_tps_number_places_the_report_at_that_tps(pub):
    post(Client(), body(tps_number="2"))
    assert Incident.objects.get().tps == pub.tps["64.08.04.1001"][1]


def test_an_unknown_tps_number_is_refused_next_to_the_field(pub):
    response = post(Client(), body(tps_number="9"))
    assert response.status_code == 400
    assert errors_of(response, "tps_number") == ["TPS 009 tidak ada di Singa Gembara."]
    assert not Incident.objects.exists()


def test_a_map_point_places_the_report_in_the_nearest_desa(pub):
    pub.desa_a2.lat, pub.desa_a2.lon = 0.52, 117.52
    pub.desa_a2.save(update_fields=["lat", "lon"])
    assert post(Client(), body(desa="", lat="0.5201", lon="117.5202")).status_code == 200
    incident = Incident.objects.get()
    assert incident.region_id == "64.08.04.1002"
    assert (incident.lat, incident.lon) == (0.5201, 117.5202)


def test_a_point_outside_the_regency_is_refused(pub):
    response = post(Client(), body(desa="", lat="-6.2", lon="106.8"))
    assert response.status_code == 400
    assert errors_of(response, "desa") == ["Titik di peta berada di luar wilayah kabupaten ini."]
    assert not Incident.objects.exists()


def test_a_place_is_required(pub):
    response = post(Client(), body(desa=""))
    assert errors_of(response, "desa") == ["Pilih desa/kelurahan, atau pakai lokasi Anda."]
    assert not Incident.objects.exists()


# --- anti-spam ------------------------------------------------------------------------------------


def test_honeypot_pretends_success_and_stores_nothing(pub):
    response = post(Client(), body(website="http://spam.example"))
    assert response.status_code == 200
    assert re.search(r"data-ticket>LK-[A-Z0-9]{6}<", response.content.decode())
    assert not Incident.objects.exists()


def test_a_form_sent_back_too_fast_is_refused_and_keeps_its_key(pub):
    token = form_token(issued_at=time.time() - 1)
    response = post(Client(), body(form_token=token))
    assert response.status_code == 400
    assert errors_of(response, "form_token") == [
        "Formulir dikirim terlalu cepat. Periksa isian Anda, lalu kirim lagi."
    ]
    assert f'value="{token}"' in response.content.decode()  # sent again, it is the same report
    assert not Incident.objects.exists()


def test_a_forged_token_is_refused_and_replaced(pub):
    response = post(Client(), body(form_token="palsu"))
    assert response.status_code == 400
    assert errors_of(response, "form_token") == [
        "Formulir tidak sah atau kedaluwarsa; silakan kirim lagi."
    ]
    assert 'value="palsu"' not in response.content.decode()
    assert not Incident.objects.exists()


@pytest.mark.parametrize(
    ("description", "message"),
    [
        ("Ada amplop.", "Uraian terlalu pendek: tulis paling sedikit 20 karakter."),
        ("x" * 2001, "Uraian terlalu panjang: paling banyak 2000 karakter."),
        ("", "Uraian kejadian wajib diisi."),
    ],
)
def test_description_length_is_limited(pub, description, message):
    response = post(Client(), body(description=description))
    assert response.status_code == 400
    assert errors_of(response, "description") == [message]
    assert not Incident.objects.exists()


def test_at_most_three_photos(pub):
    photos = [jpeg(f"foto{n}.jpg") for n in range(4)]
    response = post(Client(), body(photos=photos))
    assert response.status_code == 400
    assert errors_of(response, "photos") == ["Paling banyak 3 foto."]
    assert not Incident.objects.exists()


def test_a_file_that_is_not_a_photo_is_refused_with_a_message(pub):
    fake = io.BytesIO(b"%PDF-1.4 not a picture at all")
    fake.name = "foto.jpg"  # the name lies; the bytes are checked
    response = post(Client(), body(photos=[fake]))
    assert response.status_code == 400
    assert errors_of(response, "photos") == [
        "foto.jpg: bukan foto JPEG, PNG atau WebP, atau video MP4/3GP/WebM."
    ]
    assert not Incident.objects.exists() and not Media.objects.exists()


def test_a_video_is_refused_on_the_public_form(pub):
    video = io.BytesIO(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    video.name = "rekaman.jpg"
    response = post(Client(), body(photos=[video]))
    assert errors_of(response, "photos") == [
        "rekaman.jpg: video tidak diterima di kanal ini; kirim foto."
    ]
    assert not Incident.objects.exists()


def padded_jpeg(name: str, size: int) -> io.BytesIO:
    """A real JPEG of exactly ``size`` bytes (bytes after its end marker, which decoders skip)."""
    photo = jpeg(name).getvalue()
    out = io.BytesIO(photo + b"\0" * (size - len(photo)))
    out.name = name
    return out


def stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_a_photo_just_over_the_size_limit_is_refused_next_to_the_field(pub, inc_media, settings):
    settings.SIAGA_UPLOAD_MAX_MB = 1
    limit = 1024 * 1024
    response = post(Client(), body(photos=[jpeg("kecil.jpg"), padded_jpeg("besar.jpg", limit + 1)]))
    assert response.status_code == 400  # the form again, as for any invalid input
    assert errors_of(response, "photos") == ["besar.jpg: melebihi batas 1 MB."]
    assert TEXT in response.content.decode()  # what was typed is kept
    assert not Incident.objects.exists() and not Media.objects.exists()
    assert stored_files(inc_media) == []
    # At the limit exactly, the same photo is taken (and stored re-encoded, much smaller).
    again = post(Client(), body(photos=[padded_jpeg("pas.jpg", limit)]))
    assert again.status_code == 200, errors_of(again, "photos")
    assert Media.objects.get().incident == Incident.objects.get()
    assert len(stored_files(inc_media)) == 1


def test_a_stored_photo_has_no_gps_and_no_exif(pub, inc_media):
    original = jpeg(gps=True)
    with Image.open(io.BytesIO(original.getvalue())) as check:
        assert 0x8825 in check.getexif()  # the upload does carry a position
    assert post(Client(), body(photos=[original])).status_code == 200
    media = Media.objects.get()
    assert media.content_type == "image/jpeg"
    assert str(inc_media) in media.file.path
    with Image.open(media.file.path) as stored:
        exif = stored.getexif()
        assert 0x8825 not in exif and not exif.get_ifd(0x8825)
        assert 0x010F not in exif  # the public channel drops the whole EXIF block


def test_rate_limit_per_ip_ignores_forwarded_for(pub, settings):
    settings.SIAGA_PUBLIC_REPORTS_PER_HOUR = 2
    statuses = []
    for n in range(3):
        client = Client(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
        statuses.append(post(client, body(device_id=f"perangkat-berbeda-{n:04d}xyz")).status_code)
    assert statuses == [200, 200, 429]
    assert Incident.objects.count() == 2
    other = Client(REMOTE_ADDR="203.0.113.8")
    assert post(other, body()).status_code == 200  # another address is not affected


def test_rate_limit_per_device_across_addresses(pub, settings):
    settings.SIAGA_PUBLIC_REPORTS_PER_HOUR = 2
    responses = []
    for n in range(3):
        client = Client(REMOTE_ADDR=f"198.51.100.{n + 1}")
        client.cookies[DEVICE_COOKIE] = DEVICE
        responses.append(post(client, body()))
    assert [r.status_code for r in responses] == [200, 200, 429]
    assert (
        "Terlalu banyak laporan dari perangkat atau jaringan ini" in responses[2].content.decode()
    )
    assert Incident.objects.count() == 2


def test_the_device_id_of_the_page_counts_when_the_cookie_is_gone(pub, settings):
    settings.SIAGA_PUBLIC_REPORTS_PER_HOUR = 1
    first = post(Client(REMOTE_ADDR="198.51.100.1"), body(device_id=DEVICE))
    second = post(Client(REMOTE_ADDR="198.51.100.2"), body(device_id=DEVICE))
    assert (first.status_code, second.status_code) == (200, 429)


def test_a_double_click_is_not_counted_against_the_limit(pub, settings):
    settings.SIAGA_PUBLIC_REPORTS_PER_HOUR = 1
    client = Client()
    data = body()
    assert post(client, data).status_code == 200
    again = post(client, data)
    assert again.status_code == 200
    assert Incident.objects.get().ticket in again.content.decode()


# --- the ticket check ---------------------------------------------------------------------------


def test_the_check_shows_only_state_and_last_update(pub):
    client = Client()
    post(client, body())
    incident = Incident.objects.get()
    response = Client().get(CHECK, {"tiket": incident.ticket.lower().removeprefix("lk-")})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-state="diterima"' in html and "Diterima" in html
    assert incident.ticket in html
    assert TEXT not in html and "Singa Gembara" not in html and "Politik uang" not in html


def test_the_check_lists_the_reports_sent_from_this_browser(pub):
    client = Client()
    post(client, body())
    ticket = Incident.objects.get().ticket
    html = client.get(CHECK).content.decode()
    assert f'data-ticket="{ticket}"' in html


def test_unknown_tickets_and_tickets_of_account_reports_are_not_found(pub, inc_report, inc):
    field_report = inc_report(user=inc.monitor, channel="field")
    for ticket in ("LK-ZZZZZZ", field_report.ticket):
        response = Client().get(CHECK, {"tiket": ticket})
        assert "data-not-found" in response.content.decode()
        assert field_report.description not in response.content.decode()


def test_a_malformed_ticket_is_explained(pub):
    response = Client().get(CHECK, {"tiket": "12"})
    assert errors_of(response, "tiket") == ["Nomor tiket berbentuk LK-XXXXXX."]


def test_the_check_is_rate_limited_per_ip(pub, monkeypatch):
    monkeypatch.setattr("siaga.incidents.views_field.CHECKS_PER_HOUR", 2)
    client = Client(REMOTE_ADDR="192.0.2.5")
    codes = [client.get(CHECK, {"tiket": f"LK-AAAAA{n}"}).status_code for n in range(2, 5)]
    assert codes == [200, 200, 429]
