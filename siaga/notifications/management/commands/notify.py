"""siaga notify send: send the queued email, Telegram and WhatsApp deliveries (once or a loop)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Notifications. `send` sends the deliveries that are due (email, Telegram, and the replies "
        "to WhatsApp reporters); a failed one is retried later with a growing delay. Run it "
        "every minute, or with --loop."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{send}")
        send = sub.add_parser(
            "send",
            help="Send the due deliveries; print how many were sent and how many failed.",
            description=(
                "Send every pending delivery whose time has come through its channel "
                "(notifications: SIAGA_NOTIFY_CHANNELS; WhatsApp replies: "
                "SIAGA_WHATSAPP_ACCESS_TOKEN). A failure is recorded on the delivery with its "
                "error and tried again after 1, 5, 15 and then 60 minutes; after 8 attempts it is "
                "marked failed. Several workers may run at once."
            ),
        )
        send.add_argument(
            "--loop",
            type=int,
            metavar="SECONDS",
            help="Send again every SECONDS seconds until stopped (Ctrl+C).",
        )

    def handle(self, *args, **options):
        every = options.get("loop")
        if every is not None and every < 1:
            raise CommandError("--loop expects a number of seconds of at least 1.")
        try:
            while True:
                self._send()
                if every is None:
                    return
                time.sleep(every)
        except KeyboardInterrupt:
            self.stdout.write("stopped.")

    def _send(self) -> None:
        from siaga.notifications.services import deliveries_send

        sent, failed = deliveries_send()
        self.stdout.write(f"{sent} sent, {failed} failed.")
        self.stdout.flush()
