"""The media pages (/medsos/...): the triage queue's filters and its order by risk, a post with
the words behind its labels and its debunk link, a narrative with its spread, the debunk
database (create, edit, all-or-nothing CSV import naming the bad row and column, idempotent
re-import), sources only for INGEST_MEDIA, the model card; the workflow through the forms (a
refused step is a message, not an error page); leadership reads every page and sees no form,
and its POSTs are 404.
"""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from siaga.accounts.choices import AgencyKind, Role
from siaga.core import clock
from siaga.core.models import AuditEvent, Deployment
from siaga.media.choices import AlertKind, ReviewStatus
from siaga.media.ingest import label_key
from siaga.media.models import Debunk, MediaAlert, Narrative, Post, PostEvent, Source
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(world):
    Deployment.objects.create(
        regency=world.regency, election_name="Pilkada", voting_day=dt.date(2024, 11, 27)
    )
    source = Source.objects.create(name="Perayap uji", slug="uji", kind="webhook",
                                   region_id="64.08")  # fmt: skip
    now = clock.now()
    debunk = Debunk.objects.create(
        claim="Surat suara sudah dicoblos di gudang", verdict="salah",
        date=dt.date(2024, 11, 20), source_url="https://cekfakta.contoh.id/gudang",
    )  # fmt: skip
    narr = Narrative.objects.create(
        title="Ayo serbu kantor", signature=b"", first_seen=now - dt.timedelta(hours=3),
        last_seen=now, post_count=3, region_id="64.08.06",
    )  # fmt: skip

    def post(key, region, labels, risk, **extra):
        return Post.objects.create(
            source=source, platform=extra.pop("platform", "x"), external_id=key,
            text=extra.pop("text", f"Unggahan {key}"),
            posted_at=extra.pop("posted_at", now), author=extra.pop("author", ""),
            labels=list(labels), label_key=label_key(labels), risk=risk, region_id=region,
            places=[region], scores={lab: 0.9 for lab in labels}, **extra,
        )  # fmt: skip

    posts = {
        "hoax": post("hoax", "64.08.04.1001", ["hoaks"], 0.9, debunk=debunk, debunk_score=0.8,
                     text="Viral surat suara sudah dicoblos ditemukan di gudang"),
        "riot": post("riot", "64.08.06.2001", ["provokasi"], 0.6, narrative=narr,
                     text="Ayo serbu dan bakar kantor KPU malam ini, bawa parang",
                     author="akun_a", posted_at=now - dt.timedelta(hours=2)),
        "riot2": post("riot2", "64.08.06", ["provokasi", "sara"], 0.7, narrative=narr,
                      platform="facebook", author="akun_b", text="Serbu kantor itu sekarang"),
        "rain": post("rain", "64.08.04", [], 0.1, text="Hujan deras di simpang tiga"),
        "old": post("old", "64.08.04", ["hoaks"], 0.95, status=ReviewStatus.DONE),
    }  # fmt: skip
    alert = MediaAlert.objects.create(
        kind=AlertKind.NARRATIVE_SPIKE, narrative=narr, region_id="64.08.06", fired_at=now,
        observed=6, expected=0.3, p_value=0.0001, reason="6 unggahan dalam 3 jam, biasanya 0,3",
    )  # fmt: skip
    return {"posts": posts, "debunk": debunk, "narrative": narr, "alert": alert}


@pytest.fixture
def login(world, client):
    kominfo = AgencyFactory(code="diskominfo", name="Diskominfo", kind=AgencyKind.KOMINFO)
    roles = {
        "analyst": (Role.ANALYST, world.agency),
        "kominfo": (Role.LIAISON, kominfo),
        "leader": (Role.LEADERSHIP, world.agency),
        "kesbangpol": (Role.LIAISON, world.agency),
        "monitor": (Role.FIELD_MONITOR, world.agency),
    }

    def make(name):
        role, agency = roles[name]
        user = UserFactory(username=name, role=role, agency=agency, scope=[world.regency])
        client.force_login(user)
        return client

    return make


def shown_posts(response) -> list[str]:
    assert response.status_code == 200
    pks = [int(pk) for pk in re.findall(r'data-post="(\d+)"', response.content.decode())]
    by_pk = dict(Post.objects.values_list("pk", "external_id"))
    return [by_pk[pk] for pk in pks]


def messages_of(response) -> str:
    return " ".join(re.findall(r'class="flash-\w+" role="status">(.*?)</li>',
                               response.content.decode(), re.S))  # fmt: skip


# --- the queue ----------------------------------------------------------------------------------


def test_queue_is_ordered_by_risk_and_shows_open_posts(media, login):
    client = login("analyst")
    assert shown_posts(client.get(reverse("media:queue"))) == ["hoax", "riot2", "riot", "rain"]


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"status": "selesai"}, ["old"]),
        ({"status": "semua"}, ["old", "hoax", "riot2", "riot", "rain"]),
        ({"label": "provokasi"}, ["riot2", "riot"]),
        ({"label": "sara"}, ["riot2"]),
        ({"platform": "facebook"}, ["riot2"]),
        ({"region": "64.08.06"}, ["riot2", "riot"]),
        ({"region": "64.08.04"}, ["hoax", "rain"]),
        ({"matched": "on"}, ["hoax"]),
        ({"q": "hujan"}, ["rain"]),
        ({"label": "provokasi", "platform": "x"}, ["riot"]),
    ],
)
def test_queue_filters(media, login, params, expected):
    assert shown_posts(login("analyst").get(reverse("media:queue"), params)) == expected


def test_queue_shows_the_summary_and_open_alerts(media, login):
    body = login("leader").get(reverse("media:queue")).content.decode()
    assert f'data-alert="{media["alert"].pk}"' in body
    assert re.search(r'data-n="matched">1<', body)


# --- a post ------------------------------------------------------------------------------------


def test_post_page_shows_the_words_behind_a_label_and_the_debunk_link(media, login):
    client = login("analyst")
    riot = client.get(reverse("media:post", args=[media["posts"]["riot"].pk])).content.decode()
    assert "karena kata" in riot and "<mark>" in riot  # the words that drove provokasi
    assert 'data-form="status"' in riot
    hoax = client.get(reverse("media:post", args=[media["posts"]["hoax"].pk])).content.decode()
    assert f'data-debunk="{media["debunk"].pk}"' in hoax
    assert "https://cekfakta.contoh.id/gudang" in hoax
    assert 'data-form="action"' not in hoax  # no verdict yet: no action form


def test_post_page_shows_the_post_it_replies_to(media, login, world):
    hoax = media["posts"]["hoax"]  # x, in Singa Gembara (Sangatta Utara)
    riot = media["posts"]["riot"]  # x, in Long Bentuq (Busang)

    def reply(key, parent, platform="x", region="64.08.06.2001"):
        return Post.objects.create(
            source=hoax.source, platform=platform, external_id=key, text=f"Balasan {key}",
            posted_at=clock.now(), author="akun_c", region_id=region, places=[region],
            parent_external_id=parent,
        )  # fmt: skip

    replies = {
        "stored": reply("b1", riot.external_id),
        "elsewhere": reply("b2", riot.external_id, platform="facebook"),  # riot is on x
        "unknown": reply("b3", "1860000000000000999"),
        "none": reply("b4", ""),
        "hidden": reply("b5", hoax.external_id),
    }
    client = login("analyst")

    def page(key, who=client):
        response = who.get(reverse("media:post", args=[replies[key].pk]))
        assert response.status_code == 200
        return response.content.decode()

    body = page("stored")
    assert "Balasan untuk" in body
    assert f'data-parent="{riot.pk}"' in body
    assert f'href="{reverse("media:post", args=[riot.pk])}"' in body
    assert "akun_a" in body  # the parent's author
    for key, parent_id in (("elsewhere", "riot"), ("unknown", "1860000000000000999")):
        body = page(key)
        assert "Balasan untuk" in body and 'data-parent=""' in body, key
        assert f"<code>{parent_id}</code>" in body, key
        assert f'href="{reverse("media:post", args=[riot.pk])}"' not in body, key
    assert "Balasan untuk" not in page("none")
    # a parent outside the reader's scope is named by its id only, never linked
    assert f'data-parent="{hoax.pk}"' in page("hidden")
    busang = UserFactory(username="polsek-busang", role=Role.LIAISON, agency=world.agency,
                         scope=[world.kec_b])  # fmt: skip
    client.force_login(busang)
    body = page("hidden")
    assert 'data-parent=""' in body and f"<code>{hoax.external_id}</code>" in body
    assert f'href="{reverse("media:post", args=[hoax.pk])}"' not in body


def test_the_forms_walk_the_workflow_and_show_a_refusal_as_a_message(media, login):
    client = login("kominfo")
    post = media["posts"]["hoax"]
    url = reverse("media:post", args=[post.pk])
    done = client.post(reverse("media:post_status", args=[post.pk]),
                       {"to": "hoaks", "labels": ["hoaks", "sara"], "note": "cek"},
                       follow=True)  # fmt: skip
    assert done.redirect_chain[-1][0] == url
    assert "Tersimpan" in messages_of(done)
    stored = Post.objects.get(pk=post.pk)
    assert stored.status == ReviewStatus.HOAX and stored.analyst_labels == ["hoaks", "sara"]
    refused = client.post(reverse("media:post_status", args=[post.pk]), {"to": "bukan_hoaks"},
                          follow=True)  # fmt: skip
    assert refused.status_code == 200 and "tidak dapat diubah" in messages_of(refused)
    assert Post.objects.get(pk=post.pk).status == ReviewStatus.HOAX
    no_link = client.post(reverse("media:post_action", args=[post.pk]),
                          {"action": "kontra_narasi"}, follow=True)  # fmt: skip
    assert "tautan" in messages_of(no_link).lower()
    bad_link = client.post(reverse("media:post_action", args=[post.pk]),
                           {"action": "kontra_narasi", "link": "bukan tautan"},
                           follow=True)  # fmt: skip
    assert "Tautan" in messages_of(bad_link)
    assert not PostEvent.objects.filter(post=post, kind="action").exists()
    acted = client.post(reverse("media:post_action", args=[post.pk]),
                        {"action": "kontra_narasi", "link": "https://contoh.id/kontra"},
                        follow=True)  # fmt: skip
    assert 'data-status="ditindaklanjuti"' in acted.content.decode()
    assert "https://contoh.id/kontra" in acted.content.decode()


def test_linking_a_debunk_from_the_page(media, login):
    client = login("analyst")
    post = media["posts"]["rain"]
    client.post(reverse("media:post_debunk", args=[post.pk]), {"debunk": media["debunk"].pk})
    assert Post.objects.get(pk=post.pk).debunk == media["debunk"]
    client.post(reverse("media:post_debunk", args=[post.pk]), {"debunk": ""})
    assert Post.objects.get(pk=post.pk).debunk is None
    assert AuditEvent.objects.filter(action="media.post_debunk").count() == 2


# --- narratives ----------------------------------------------------------------------------------


def test_narrative_page_shows_its_spread(media, login):
    body = login("leader").get(reverse("media:narrative", args=[media["narrative"].pk]))
    html = body.content.decode()
    assert re.search(r'data-n="posts">2<', html) and re.search(r'data-n="accounts">2<', html)
    per_hour = [int(n) for n in re.findall(r'data-posts="(\d+)"', html)]
    assert len(per_hour) == 48 and sum(per_hour) == 2 and per_hour[-1] == 1
    assert "x: 1" in html and "facebook: 1" in html
    assert "6 unggahan dalam 3 jam" in html  # its alert
    assert set(shown_posts(body)) == {"riot", "riot2"}
    listing = login("leader").get(reverse("media:narratives")).content.decode()
    assert f'data-narrative="{media["narrative"].pk}"' in listing


# --- debunks ------------------------------------------------------------------------------------


def test_debunk_create_and_edit(media, login):
    client = login("analyst")
    form = {"claim": "TPS 5 dipindah", "verdict": "salah", "date": "2024-11-22", "active": "on"}
    created = client.post(reverse("media:debunks"), form)
    assert created.status_code == 302
    debunk = Debunk.objects.get(claim="TPS 5 dipindah")
    assert debunk.active and debunk.created_by.username == "analyst"
    invalid = client.post(reverse("media:debunks"), {**form, "claim": ""}, follow=True)
    assert "Klaim" in messages_of(invalid) and Debunk.objects.count() == 2
    url = reverse("media:debunk", args=[debunk.pk])
    edited = client.post(url, {"claim": "TPS 5 dipindah ke balai desa", "verdict": "menyesatkan",
                               "date": "2024-11-22"})  # fmt: skip
    assert edited.status_code == 302
    debunk.refresh_from_db()
    assert debunk.verdict == "menyesatkan" and not debunk.active
    actions = list(AuditEvent.objects.filter(action__startswith="media.debunk_")
                   .values_list("action", flat=True))  # fmt: skip
    assert actions == ["media.debunk_created", "media.debunk_updated"]


def upload(content: str, name="klarifikasi.csv"):
    return SimpleUploadedFile(name, content.encode(), content_type="text/csv")


GOOD_CSV = (
    "claim,verdict,date,url,category,narrative\n"
    "Kotak suara dibuka malam hari,hoaks,2024-11-20,https://contoh.id/1,pemilu,Sudah dicek\n"
    "Paslon mundur,misinformasi,2024-11-21,https://contoh.id/2,pemilu,\n"
)


def test_debunk_import_is_all_or_nothing_and_idempotent(media, login, tmp_path):
    client = login("analyst")
    bad = GOOD_CSV + "Klaim tanpa tanggal,salah,kemarin,https://contoh.id/3,,\n"
    with override_settings(DATA_DIR=tmp_path):
        refused = client.post(reverse("media:debunks_import"), {"file": upload(bad)}, follow=True)
        text = messages_of(refused)
        assert "Tidak ada yang disimpan" in text
        assert "baris 4" in text and "kolom date" in text  # the row and the column
        assert Debunk.objects.count() == 1
        client.post(reverse("media:debunks_import"), {"file": upload(GOOD_CSV)})
        assert Debunk.objects.count() == 3
        again = client.post(reverse("media:debunks_import"), {"file": upload(GOOD_CSV)},
                            follow=True)  # fmt: skip
        assert Debunk.objects.count() == 3 and "0 klarifikasi baru, 2 sudah ada" in messages_of(
            again
        )
        assert not list(tmp_path.rglob("*.csv"))  # the uploaded file is not kept
    imported = Debunk.objects.get(source_url="https://contoh.id/2")
    assert imported.verdict == "menyesatkan" and imported.category == "pemilu"


def test_debunk_import_refuses_other_files(media, login, tmp_path):
    with override_settings(DATA_DIR=tmp_path):
        data = {"file": upload("x", name="a.exe")}
        response = login("analyst").post(reverse("media:debunks_import"), data, follow=True)
    assert "CSV" in messages_of(response) and Debunk.objects.count() == 1


# --- sources, model, readers ---------------------------------------------------------------------


def test_sources_are_for_ingest_media_only(media, login):
    body = login("kominfo").get(reverse("media:sources")).content.decode()
    assert 'data-source="uji"' in body and 'data-form="source-new"' in body
    for reader in ("leader", "kesbangpol", "monitor"):
        assert login(reader).get(reverse("media:sources")).status_code == 404, reader
        assert login(reader).get(reverse("media:source", args=[1])).status_code == 404, reader


def test_creating_a_feed_source(media, login):
    client = login("analyst")
    response = client.post(reverse("media:sources"), {"name": "Berita Kutim", "kind": "rss",
                           "platform": "news", "url": "https://berita.contoh.id/rss",
                           "poll_minutes": "15"})  # fmt: skip
    source = Source.objects.get(slug="berita-kutim")
    assert response.status_code == 302 and response.url == reverse("media:source", args=[source.pk])
    assert source.connector == "rss" and source.poll_minutes == 15


def test_model_page(media, login):
    client = login("analyst")
    Post.objects.filter(external_id="old").update(analyst_labels=["hoaks"])
    body = client.get(reverse("media:model")).content.decode()
    assert "1 unggahan berlabel analis" in body and 'data-form="retrain"' in body
    assert client.post(reverse("media:model")).status_code == 302


PAGES = ["media:queue", "media:narratives", "media:alerts", "media:debunks", "media:model"]


def test_leadership_reads_every_page_and_sees_no_form(media, login):
    client = login("leader")
    for name in PAGES:
        body = client.get(reverse(name)).content.decode()
        assert 'data-form="' not in body, name
        assert "Sumber dan impor" not in body, name  # no link to the sources page
    for key in ("hoax", "riot"):
        response = client.get(reverse("media:post", args=[media["posts"][key].pk]))
        assert response.status_code == 200 and 'data-form="' not in response.content.decode()
    debunk = client.get(reverse("media:debunk", args=[media["debunk"].pk])).content.decode()
    assert 'data-form="' not in debunk
    alerts = client.get(reverse("media:alerts")).content.decode()
    assert "Terima</button>" not in alerts


def test_leadership_posts_are_404_and_change_nothing(media, login):
    client = login("leader")
    post = media["posts"]["hoax"]
    audits = AuditEvent.objects.count()
    posts = [
        (reverse("media:post_status", args=[post.pk]), {"to": "hoaks"}),
        (reverse("media:post_action", args=[post.pk]), {"action": "lapor_platform"}),
        (reverse("media:post_debunk", args=[post.pk]), {"debunk": ""}),
        (reverse("media:debunks"), {"claim": "x", "verdict": "salah", "date": "2024-11-01"}),
        (reverse("media:debunk", args=[media["debunk"].pk]),
         {"claim": "x", "verdict": "salah", "date": "2024-11-01"}),
        (reverse("media:alert_ack", args=[media["alert"].pk]), {}),
        (reverse("media:model"), {}),
        (reverse("media:sources"), {"name": "x", "kind": "rss", "platform": "news",
                                    "url": "https://x.id/rss", "poll_minutes": "5"}),
    ]  # fmt: skip
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert AuditEvent.objects.count() == audits
    assert Post.objects.get(pk=post.pk).status == ReviewStatus.NEW
    assert Post.objects.get(pk=post.pk).debunk == media["debunk"]


def test_field_monitors_see_no_media_page(media, login):
    client = login("monitor")
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 404, name
    assert client.get(reverse("media:post", args=[media["posts"]["riot"].pk])).status_code == 404


def test_acknowledging_an_alert_from_the_page(media, login):
    client = login("kominfo")
    alert = media["alert"]
    body = client.get(reverse("media:alerts")).content.decode()
    assert reverse("media:alert_ack", args=[alert.pk]) in body
    client.post(reverse("media:alert_ack", args=[alert.pk]))
    again = client.post(reverse("media:alert_ack", args=[alert.pk]), follow=True)
    assert "sudah diterima" in messages_of(again)
    alert.refresh_from_db()
    assert alert.acknowledged_by.username == "kominfo"
    assert AuditEvent.objects.filter(action="media.alert_acknowledged").count() == 1
