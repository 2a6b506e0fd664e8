"""The messaging channels of incident reports: SMS gateway, Telegram bot and WhatsApp Cloud API.

Each channel is a plain module (no HTTP): ``sms`` parses the short format shared by SMS and
WhatsApp, ``telegram`` runs the guided conversation, ``whatsapp`` reads Cloud API payloads, and
``common`` holds what they share (signatures, replay protection, phone numbers, replies). The
thin views in ``siaga.incidents.webhooks`` check the transport (method, size, secret) and call
them. Every report goes through ``siaga.incidents.services.incident_submit``.
"""
