"""The staff ranking of a field, cached until the next change to it (bench/README.md §9).

A field's ranking has a version in the cache; every service that changes what the ranking shows
(a score saved, a status — submitted, shortlisted, selected —, a shortlist rank, a nomination's name)
gives it a new random version once its transaction commits, so a ranking or a rendered table cached
under the old one is never read again.  A version lost from the cache is replaced by a new random
one, never by an old one: the worst a lost version costs is one recomputation.
"""

import uuid

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction

# What a version does not cover (a unit's name in the registry) is read again after this long.
SECONDS = 600


def _prefix(campaign_id, field):
    database = connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]  # two sites (or test runs) on one Redis
    return f"nominations:ranking:{database}:{campaign_id}:{field}"


def version(campaign_id, field):
    key = f"{_prefix(campaign_id, field)}:version"
    current = cache.get(key)
    if current is None:
        cache.add(key, uuid.uuid4().hex, None)
        current = cache.get(key) or uuid.uuid4().hex
    return current


def key(campaign_id, field, *parts):
    """A cache key for something derived from the field's ranking, under its current version."""
    return ":".join([_prefix(campaign_id, field), version(campaign_id, field), *map(str, parts)])


def changed(campaign_id, field):
    """Call inside the writing transaction: the field's ranking gets a new version after the commit."""
    transaction.on_commit(lambda: cache.set(f"{_prefix(campaign_id, field)}:version", uuid.uuid4().hex, None))
