"""Webhooks of the messaging channels (Telegram, SMS gateway, WhatsApp), mounted at /webhooks/.

No login: each request proves itself by its signature or secret (see docs/channels.md).
"""

from django.urls import path

from siaga.incidents import webhooks

app_name = "webhooks"

urlpatterns = [
    path("sms", webhooks.sms_webhook, name="sms"),
    path("telegram", webhooks.telegram_webhook, name="telegram"),
    path("whatsapp", webhooks.whatsapp_webhook, name="whatsapp"),
]
