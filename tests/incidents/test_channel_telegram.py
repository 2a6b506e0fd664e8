"""The Telegram bot: the secret-token webhook /webhooks/telegram and its guided conversation.

Photos are fetched through ``telegram.file_fetch``; the tests put a function in its place that
hands back bytes (or raises) without network, and record what it was asked.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from PIL import Image

from siaga.core.audit import AuditContext
from siaga.core.models import AuditEvent, Deployment
from siaga.incidents.catalogue import categories_seed
from siaga.incidents.channels import common, telegram
from siaga.incidents.models import (
    Category,
    Incident,
    MessagingConversation,
    ProcessedMessage,
)
from tests.factories import region

SECRET = "tg-test-secret"
CHAT = 5550001
HEADER = {"HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN": SECRET}


@pytest.fixture
def chan(world, settings, tmp_path):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "siaga-channels-telegram",
        }
    }
    cache.clear()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }
    settings.SIAGA_TELEGRAM_WEBHOOK_SECRET = SECRET
    settings.SIAGA_UPLOAD_MAX_MB = 1
    Deployment.objects.get_or_create(
        regency=world.regency,
        defaults={"election_name": "Pilkada Kutai Timur 2024", "voting_day": dt.date(2024, 11, 27)},
    )
    categories_seed(context=AuditContext.cli())
    # a desa with a representative point (no boundaries imported): a location resolves to it
    world.desa_river = region("64.08.04.1003", "Teluk Lingga", lat=0.55, lon=117.55)
    return world


class Photos:
    """Stands in for the Bot API download: ``content`` by file id, with the calls made."""

    def __init__(self):
        self.content: dict[str, bytes | Exception] = {}
        self.calls: list[tuple[str, int]] = []

    def __call__(self, file_id: str, *, max_bytes: int) -> bytes:
        self.calls.append((file_id, max_bytes))
        found = self.content[file_id]
        if isinstance(found, Exception):
            raise found
        return found


@pytest.fixture
def photos(monkeypatch):
    fake = Photos()
    monkeypatch.setattr(telegram, "file_fetch", fake)
    return fake


def jpeg(size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, format="JPEG")
    return out.getvalue()


class Chat:
    """One Telegram user talking to the bot through the webhook."""

    def __init__(self, client, chat_id=CHAT, *, first_update=1000, private=True):
        self.client, self.chat_id, self.update_id = client, chat_id, first_update
        self.private = private

    def update(self, **message) -> dict:
        self.update_id += 1
        return {
            "update_id": self.update_id,
            "message": {
                "message_id": self.update_id,
                "date": 1732680000,
                "chat": {"id": self.chat_id, "type": "private" if self.private else "group"},
                "from": {"id": self.chat_id, "first_name": "Rahmat", "last_name": "Hidayat",
                         "username": "rahmat_h"},
                **message,
            },
        }  # fmt: skip

    def post(self, body, **headers):
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        return self.client.post(
            reverse("webhooks:telegram"), raw, content_type="application/json", **headers
        )

    def send(self, **message) -> dict:
        response = self.post(self.update(**message), **HEADER)
        assert response.status_code == 200, response.content
        return response.json()

    def say(self, text: str) -> dict:
        return self.send(text=text)


def buttons(answer: dict) -> list[str]:
    keyboard = answer.get("reply_markup", {}).get("keyboard", [])
    return [b["text"] for row in keyboard for b in row]


def step(chat_id=CHAT) -> str:
    return MessagingConversation.objects.get(channel="telegram", chat_id=str(chat_id)).step


# --- the conversation ---------------------------------------------------------------------------


def test_a_full_conversation_with_location_and_photo_lands_one_report(chan, client, photos):
    chat = Chat(client)
    answer = chat.say("/lapor")
    assert answer["method"] == "sendMessage" and answer["chat_id"] == CHAT
    assert answer["text"] == "Pilih kategori kejadian:"
    assert {"Politik uang", "Intimidasi", "/batal"} <= set(buttons(answer))
    start_update = chat.update_id

    answer = chat.say("Politik uang")
    assert "Di mana kejadiannya?" in answer["text"]
    assert answer["reply_markup"]["keyboard"][0][0] == {
        "text": "Kirim lokasi saya",
        "request_location": True,
    }
    answer = chat.send(location={"latitude": 0.551, "longitude": 117.552})
    assert answer["text"].startswith("Lokasi: Teluk Lingga (titik lokasi).")
    assert step() == "what"

    answer = chat.say("Ada pembagian amplop berisi uang di depan rumah kepala dusun")
    assert "Kirim satu foto" in answer["text"] and "Lewati" in buttons(answer)
    photos.content["big-photo"] = jpeg()
    answer = chat.send(
        photo=[
            {"file_id": "small", "file_unique_id": "a", "width": 90, "height": 60,
             "file_size": 900},
            {"file_id": "big-photo", "file_unique_id": "b", "width": 1280, "height": 960,
             "file_size": 90_000},
        ]
    )  # fmt: skip
    assert photos.calls == [("big-photo", 1024 * 1024)]  # the largest size, capped at the limit
    assert answer["text"].startswith("Foto diterima.")
    assert buttons(answer)[:2] == ["Anonim", "Cantumkan nama saya"]

    answer = chat.say("Cantumkan nama saya")
    assert "Kategori: Politik uang" in answer["text"]
    assert "Lokasi: Teluk Lingga (titik lokasi)" in answer["text"]
    assert "Foto: ada" in answer["text"] and "Pelapor: Rahmat Hidayat" in answer["text"]
    assert not Incident.objects.exists()

    answer = chat.say("Kirim laporan")
    incident = Incident.objects.get()
    assert answer["text"] == (
        f"Laporan diterima, nomor {incident.ticket}. Simpan nomor ini. "
        f"Cek status: /status {incident.ticket}"
    )
    assert answer["reply_markup"] == {"remove_keyboard": True}
    assert incident.channel == "telegram" and incident.category.code == "politik-uang"
    assert incident.region_id == "64.08.04.1003" and incident.tps is None
    assert (incident.lat, incident.lon) == (0.551, 117.552)
    assert incident.reporter is None and not incident.anonymous
    assert incident.reporter_name == "Rahmat Hidayat"
    assert incident.reporter_contact == "Telegram @rahmat_h"
    assert incident.idempotency_key == telegram.idempotency_key(CHAT, start_update)
    assert str(CHAT) not in incident.idempotency_key
    media = incident.media.get()
    assert media.content_type == "image/jpeg"
    assert AuditEvent.objects.get(action="incident.create").channel == "telegram"
    assert step() == "start"
    assert MessagingConversation.objects.get().data == {}


def test_a_typed_desa_code_and_tps_anonymously(chan, client, photos):
    chat = Chat(client)
    chat.say("/start")
    chat.say("intimidasi")  # a keyword works as well as the button
    answer = chat.say("64.08.04.1001 TPS 2")
    assert answer["text"].startswith("Lokasi: Singa Gembara TPS 002.")
    chat.say("Pemilih diancam oleh orang tak dikenal")
    chat.say("Lewati")
    answer = chat.say("Anonim")
    assert "Pelapor: anonim" in answer["text"] and "Foto: tidak ada" in answer["text"]
    chat.say("Kirim laporan")
    incident = Incident.objects.get()
    assert incident.category.code == "intimidasi"
    assert incident.tps == chan.tps["64.08.04.1001"][1]
    assert incident.anonymous and incident.reporter_name == "" and incident.reporter_contact == ""
    assert not incident.media.exists() and photos.calls == []


def test_a_desa_name_is_understood(chan, client):
    chat = Chat(client)
    chat.say("/lapor")
    chat.say("Kekerasan / gangguan keamanan")
    answer = chat.say("long bentuq")
    assert answer["text"].startswith("Lokasi: Long Bentuq.")


@pytest.mark.parametrize(
    ("place", "says"),
    [
        ("64.08.99.9999", "Kode desa 64.08.99.9999 tidak dikenal di kabupaten ini."),
        ("64.01.01.2001 TPS 1", "Kode desa 64.01.01.2001 tidak dikenal di kabupaten ini."),
        ("64.08.04.1001 TPS 7", "TPS 007 tidak ada di Singa Gembara."),
        ("di dekat pasar", "Tempat tidak dikenali."),
    ],
)
def test_an_unknown_place_asks_again(chan, client, place, says):
    chat = Chat(client)
    chat.say("/lapor")
    chat.say("Politik uang")
    answer = chat.say(place)
    assert answer["text"].startswith(says) and "Di mana kejadiannya?" in answer["text"]
    assert step() == "where"


def test_a_location_outside_the_regency_is_refused(chan, client):
    chat = Chat(client)
    chat.say("/lapor")
    chat.say("Politik uang")
    answer = chat.send(location={"latitude": -6.2, "longitude": 106.8})  # Jakarta
    assert answer["text"].startswith("Lokasi itu di luar wilayah kabupaten ini")
    assert step() == "where"


def test_an_unknown_category_and_a_short_description_ask_again(chan, client):
    chat = Chat(client)
    chat.say("/lapor")
    answer = chat.say("gosip")
    assert answer["text"].startswith("Kategori tidak dikenal; pilih dari tombol.")
    assert step() == "category"
    chat.say("Hoaks lokal")
    chat.say("64.08.04.1001")
    answer = chat.say("ada")
    assert "paling sedikit 5 huruf" in answer["text"] and step() == "what"


def test_cancel_forgets_the_conversation(chan, client):
    chat = Chat(client)
    chat.say("/lapor")
    chat.say("Politik uang")
    answer = chat.say("/batal")
    assert answer["text"].startswith("Laporan dibatalkan.")
    assert answer["reply_markup"] == {"remove_keyboard": True}
    assert step() == "start" and MessagingConversation.objects.get().data == {}
    answer = chat.say("Kirim laporan")  # nothing to send any more
    assert answer["text"].startswith("Siaga menerima laporan kejadian Pilkada.")
    assert not Incident.objects.exists()


def test_status_answers_only_the_chat_that_reported(chan, client):
    chat = Chat(client)
    for text in ("/lapor", "Politik uang", "64.08.04.1001 TPS 1", "Uang dibagikan ke warga"):
        chat.say(text)
    chat.say("Lewati")
    chat.say("Anonim")
    chat.say("Kirim laporan")
    ticket = Incident.objects.get().ticket
    answer = chat.say(f"/status {ticket.lower()}")
    assert answer["text"] == (
        f"Laporan {ticket} (Politik uang, Singa Gembara TPS 001): status Diterima."
    )
    other = Chat(client, chat_id=5550002, first_update=5000)
    answer = other.say(f"/status {ticket}")
    assert answer["text"] == f"Laporan {ticket} tidak ditemukan untuk pengirim ini."
    assert other.say("/status")["text"].startswith("Tulis nomor tiket")


def _at_photo_step(client) -> Chat:
    chat = Chat(client)
    for text in ("/lapor", "Politik uang", "64.08.04.1001", "Uang dibagikan ke warga"):
        chat.say(text)
    assert step() == "photo"
    return chat


def test_an_oversize_photo_is_refused_without_fetching_it(chan, client, photos):
    chat = _at_photo_step(client)
    answer = chat.send(photo=[{"file_id": "huge", "width": 4000, "height": 3000,
                                "file_size": 2 * 1024 * 1024}])  # fmt: skip
    assert answer["text"].startswith("Foto terlalu besar (paling besar 1 MB).")
    assert photos.calls == [] and step() == "photo"


def test_a_photo_larger_than_announced_is_refused_after_download(chan, client, photos):
    chat = _at_photo_step(client)
    photos.content["liar"] = b"\xff\xd8" + b"0" * (1024 * 1024 + 10)
    answer = chat.send(photo=[{"file_id": "liar", "width": 10, "height": 10}])
    assert answer["text"].startswith("Foto terlalu besar") and step() == "photo"
    photos.content["refused"] = telegram.FileTooLarge()
    answer = chat.send(photo=[{"file_id": "refused", "width": 10, "height": 10}])
    assert answer["text"].startswith("Foto terlalu besar") and step() == "photo"


def test_a_file_that_is_not_an_image_is_refused(chan, client, photos):
    chat = _at_photo_step(client)
    photos.content["fake"] = b"%PDF-1.4 not a photo at all"
    answer = chat.send(photo=[{"file_id": "fake", "width": 10, "height": 10, "file_size": 30}])
    assert "bukan foto JPEG, PNG atau WebP" in answer["text"]
    answer = chat.send(document={"file_id": "doc", "mime_type": "application/pdf", "file_size": 9})
    assert answer["text"].startswith("Hanya foto (JPEG, PNG atau WebP) yang diterima.")
    answer = chat.send(video={"file_id": "vid", "duration": 3})
    assert answer["text"].startswith("Hanya foto yang diterima.")
    photos.content["down"] = OSError("network")
    answer = chat.send(photo=[{"file_id": "down", "width": 10, "height": 10}])
    assert answer["text"].startswith("Foto tidak dapat diambil dari Telegram.")
    assert step() == "photo" and not Incident.objects.exists()
    # an image sent as a file is taken
    photos.content["doc-photo"] = jpeg()
    answer = chat.send(document={"file_id": "doc-photo", "mime_type": "image/jpeg"})
    assert answer["text"].startswith("Foto diterima.") and step() == "anonymous"


def test_a_refused_submission_goes_back_to_the_step_at_fault(chan, client):
    chat = Chat(client)
    for text in ("/lapor", "Politik uang", "64.08.04.1001", "Uang dibagikan ke warga"):
        chat.say(text)
    chat.say("Lewati")
    chat.say("Anonim")
    # an administrator switches the category off between the question and the submission
    Category.objects.filter(code="politik-uang").update(active=False)
    answer = chat.say("Kirim laporan")
    assert answer["text"].startswith("Kategori politik-uang tidak dikenal.")
    assert "Pilih kategori kejadian:" in answer["text"] and step() == "category"
    assert not Incident.objects.exists()


def test_group_chats_are_ignored(chan, client):
    group = Chat(client, chat_id=-100123, private=False)
    response = group.post(group.update(text="/lapor"), **HEADER)
    assert response.status_code == 200 and response.json() == {}
    assert not MessagingConversation.objects.exists()


def test_other_updates_are_acknowledged_and_ignored(chan, client):
    response = Chat(client).post({"update_id": 77, "edited_message": {"text": "x"}}, **HEADER)
    assert response.status_code == 200 and response.json() == {}


# --- the webhook's defences ---------------------------------------------------------------------


def test_a_replayed_update_answers_the_same_and_stores_one_report(chan, client):
    chat = Chat(client)
    for text in ("/lapor", "Politik uang", "64.08.04.1001", "Uang dibagikan ke warga", "Lewati"):
        chat.say(text)
    chat.say("Anonim")
    final = chat.update(text="Kirim laporan")
    first = chat.post(final, **HEADER)
    again = chat.post(final, **HEADER)
    assert again.status_code == 200 and again.json() == first.json()
    assert Incident.objects.count() == 1
    assert ProcessedMessage.objects.filter(channel="telegram", message_id=str(final["update_id"]))
    # the same conversation cannot be submitted twice either (idempotency key)
    assert Incident.objects.get().ticket in first.json()["text"]


@pytest.mark.parametrize("header", [{}, {"HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN": "wrong"}])
def test_a_missing_or_wrong_secret_token_is_403(chan, client, header):
    chat = Chat(client)
    response = chat.post(chat.update(text="/lapor"), **header)
    assert response.status_code == 403
    assert not MessagingConversation.objects.exists() and not ProcessedMessage.objects.exists()


def test_the_bot_is_off_without_a_secret(chan, client, settings):
    settings.SIAGA_TELEGRAM_WEBHOOK_SECRET = ""
    chat = Chat(client)
    assert chat.post(chat.update(text="/lapor"), **HEADER).status_code == 503


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[]", b'{"message": {"text": "x"}}',
     b'{"update_id": 5, "message": {"chat": {"id": "abc"}}}',
     b'{"update_id": 6, "message": {"chat": {"id": 1, "type": "private"}, "location": {}}}'],
)  # fmt: skip
def test_a_malformed_update_is_400(chan, client, body):
    response = Chat(client).post(body, **HEADER)
    assert response.status_code == 400
    assert response.json() == {"error": "Update Telegram tidak sah."}


def test_an_oversize_update_is_413(chan, client):
    chat = Chat(client)
    response = chat.post(chat.update(text="x" * 17_000), **HEADER)
    assert response.status_code == 413 and not ProcessedMessage.objects.exists()


def test_no_csrf_token_is_needed(chan):
    answer = Chat(Client(enforce_csrf_checks=True)).say("/lapor")
    assert answer["text"] == "Pilih kategori kejadian:"


def test_get_is_not_allowed(client):
    assert client.get(reverse("webhooks:telegram")).status_code == 405


def test_a_chat_is_limited_per_hour(chan, client):
    chat = Chat(client)
    for _n in range(common.RATE_PER_HOUR["telegram"]):
        chat.say("/bantuan")
    answer = chat.say("/lapor")
    assert answer["text"].startswith("Terlalu banyak pesan")
    assert ProcessedMessage.objects.count() == common.RATE_PER_HOUR["telegram"]
    assert not MessagingConversation.objects.filter(step="category").exists()


def test_texts_never_reach_the_log(chan, client, caplog):
    caplog.set_level(logging.DEBUG)
    chat = Chat(client)
    for text in ("/lapor", "Politik uang", "64.08.04.1001", "Rahasia pembagian amplop"):
        chat.say(text)
    chat.post(chat.update(text="x"), HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN="forged")
    assert "telegram webhook: wrong secret token refused" in caplog.text
    assert "Rahasia" not in caplog.text and str(CHAT) not in caplog.text
