"""Print the current two-step verification code of a demo user (demo mode only)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.demo import DEMO_TOTP_KEY_HEX


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo user (only when CITIZENCRM_DEMO_MODE is on)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError("Only available in demo mode (CITIZENCRM_DEMO_MODE).")
        device = TOTPDevice.objects.filter(
            user__username=options["username"], confirmed=True, key=DEMO_TOTP_KEY_HEX
        ).first()
        if device is None:
            raise CommandError("No demo authenticator for that user; run load_demo_data first.")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
