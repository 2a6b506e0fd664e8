"""The deployment's text model: trained from the seed corpus on first use, retrained with the
analysts' decisions and swapped in whole, with an audit event."""

import pytest

from siaga.core.audit import AuditContext
from siaga.core.models import AuditEvent
from siaga.engines.nlp.classifier import CARD_FILE, MODEL_FILE
from siaga.media import sources, textmodel
from siaga.media.choices import SourceKind
from siaga.media.ingest import ingest
from siaga.media.models import Post


@pytest.fixture
def model_dir(settings, tmp_path):
    settings.SIAGA_MEDIA_MODEL_DIR = tmp_path / "model"
    return settings.SIAGA_MEDIA_MODEL_DIR


@pytest.mark.django_db
def test_first_use_trains_from_the_seed_then_analysts_decisions_retrain_it(world, model_dir):
    assert not model_dir.exists()
    model = textmodel.current()
    assert (model_dir / MODEL_FILE).exists() and (model_dir / CARD_FILE).exists()
    assert {"hoaks", "provokasi", "sara"} <= set(model.labels)
    first = textmodel.card()
    assert first["analyst_rows"] == 0
    assert textmodel.current() is model  # loaded once per process

    source = sources.source_create(
        context=AuditContext.cli(), name="uji", kind=SourceKind.WEBHOOK, region_code="64.08"
    )
    ingest(
        [
            (
                1,
                {
                    "platform": "x",
                    "external_id": "1",
                    "text": "warga diminta jaga TPS bersama",
                    "posted_at": "2024-11-24T08:00:00+08:00",
                },
            )
        ],
        source=source,
        context=AuditContext.cli(),
    )
    post = Post.objects.get()
    assert post.model_version == textmodel.version() != "?"
    Post.objects.filter(pk=post.pk).update(analyst_labels=["provokasi"])

    card = textmodel.retrain(context=AuditContext.cli())
    assert card["analyst_rows"] == 1
    assert textmodel.card()["analyst_rows"] == 1
    assert textmodel.current() is not model  # the new model replaced the old one
    assert not model_dir.with_name(model_dir.name + ".new").exists()
    event = AuditEvent.objects.get(action="media.model_retrained")
    assert event.after["analyst_rows"] == 1
