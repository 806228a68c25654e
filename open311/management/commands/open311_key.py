"""Open311 API keys from the command line.

python manage.py open311_key create NAME [--agency SLUG]   prints the new key, once
python manage.py open311_key revoke NAME
python manage.py open311_key list
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from agencies.models import Agency
from open311.models import Open311Client
from open311.services import open311_client_create, open311_client_revoke

ACTOR = "system:manage.py open311_key"


class Command(BaseCommand):
    help = "Create, revoke or list the API keys of Open311 client applications."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Make a key for a new client (printed once).")
        create.add_argument("name", help="The client application's name (unique).")
        create.add_argument(
            "--agency", help="Slug of the agency (jurisdiction_id); needed if there are several."
        )
        revoke = sub.add_parser("revoke", help="Switch a client's key off for good.")
        revoke.add_argument("name")
        sub.add_parser("list", help="List the clients (never their keys).")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "create":
            self._create(options["name"], options.get("agency"))
        elif action == "revoke":
            self._revoke(options["name"])
        else:
            self._list()

    def _create(self, name: str, slug: str | None) -> None:
        agency = self._agency(slug)
        try:
            client, raw_key = open311_client_create(name=name, agency=agency, actor=ACTOR)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stderr.write(
            f"Open311 key for “{client.name}” ({agency.slug}). It is stored hashed: copy it now, "
            "it will not be shown again."
        )
        self.stdout.write(raw_key)

    def _revoke(self, name: str) -> None:
        client = Open311Client.objects.filter(name=name).first()
        if client is None:
            raise CommandError(f"No Open311 client is called “{name}”.")
        if not client.active:
            self.stdout.write(f"The key of “{name}” was already revoked.")
            return
        open311_client_revoke(client=client, actor=ACTOR)
        self.stdout.write(self.style.SUCCESS(f"Revoked the key of “{name}”."))

    def _list(self) -> None:
        for client in Open311Client.objects.select_related("agency"):
            state = "active" if client.active else "revoked"
            used = client.last_used_at.isoformat() if client.last_used_at else "never used"
            self.stdout.write(
                f"{client.name}\t{client.agency.slug}\t{client.key_prefix}…\t{state}\t{used}"
            )

    def _agency(self, slug: str | None) -> Agency:
        if slug:
            agency = Agency.objects.filter(slug=slug).first()
            if agency is None:
                raise CommandError(f"No agency has the slug “{slug}”.")
            return agency
        agencies = list(Agency.objects.all()[:2])
        if len(agencies) != 1:
            raise CommandError("Say which agency the key is for: --agency SLUG.")
        return agencies[0]
