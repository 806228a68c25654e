from django.contrib.postgres.operations import BtreeGistExtension, TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    """pg_trgm (fuzzy citizen search) and btree_gist; both exist in PostgreSQL 15 and the embedded 18."""

    dependencies = [("core", "0001_initial")]

    operations = [TrigramExtension(), BtreeGistExtension()]
