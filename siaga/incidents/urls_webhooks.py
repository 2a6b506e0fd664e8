"""Webhooks of the messaging channels (Telegram, SMS gateway, WhatsApp) and
of the media crawlers, mounted at /webhooks/.

No login: each request proves itself by its signature or secret (see docs/channels.md).
"""

from django.urls import path

from siaga.incidents import webhooks
from siaga.media import webhooks as media_webhooks

app_name = "webhooks"

urlpatterns = [
    path("sms", webhooks.sms_webhook, name="sms"),
    path("telegram", webhooks.telegram_webhook, name="telegram"),
    path("whatsapp", webhooks.whatsapp_webhook, name="whatsapp"),
    path("media/<slug:slug>", media_webhooks.posts_webhook, name="media"),
]
