"""API tokens from the command line, for integrations set up by the deployment's operators.

python manage.py api_token create USERNAME [--name NAME]   # prints the token once
python manage.py api_token list USERNAME
python manage.py api_token revoke USERNAME PREFIX           # PREFIX as `list` shows it
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.models import ApiToken
from core.services import api_token_create, api_token_revoke

OPERATOR = "command line (api_token)"


class Command(BaseCommand):
    help = "Create, list or revoke a staff member's REST API tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Issue a token and print it (once).")
        create.add_argument("username")
        create.add_argument("--name", default="command line", help="What the token is for.")
        listing = sub.add_parser("list", help="A user's tokens (never their values).")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="Revoke a token at once.")
        revoke.add_argument("username")
        revoke.add_argument("prefix", help="The token's first characters, as `list` shows.")

    def _user(self, username: str):
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user {username!r}.") from None

    def handle(self, *args, action: str, username: str, **options):
        user = self._user(username)
        if action == "create":
            try:
                token, raw = api_token_create(user=user, name=options["name"], actor=OPERATOR)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
            self.stderr.write(f"Token {token.prefix}… for {username} ({token.name}). "
                              "Store it now: it is not shown again.")  # fmt: skip
            self.stdout.write(raw)
        elif action == "list":
            for token in ApiToken.objects.filter(user=user):
                state = "revoked" if token.revoked_at else "active"
                used = token.last_used_at.isoformat() if token.last_used_at else "never"
                self.stdout.write(f"{token.prefix}  {state:8}  last used {used}  {token.name}")
        else:
            tokens = ApiToken.objects.filter(user=user, prefix__startswith=options["prefix"])
            if len(options["prefix"]) < 6 or tokens.count() != 1:
                raise CommandError("Give a prefix (6+ characters) that names exactly one token.")
            if api_token_revoke(token=tokens.get(), actor=OPERATOR):
                self.stdout.write("Revoked.")
            else:
                self.stdout.write("It was already revoked.")
