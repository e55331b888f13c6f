"""The rules about an agreement's parties, in one place.

- A party signs (PartyRole.PARTY) or coordinates without signing (PartyRole.COORDINATOR); both
  count as the agreement's localities: its pages, the dashboards of the units they lie in, the
  staff scopes and "localities with a partner".
- A giver or a recipient of an activity is a party or lies below one (a village of a signing
  commune gives or receives under its commune's agreement).
- An activity whose source names no giver ("the two sides together") was given jointly by the
  signing parties other than its recipient: it is theirs, fully, in each one's own figures
  (see docs/counting.md), and counted once in every total.
"""

from agreements.models import Party
from localities import tree


def within_parties(party_ids, locality):
    """Whether `locality` is one of the parties (ids) or lies below one: one query at most."""
    return locality.pk in party_ids or bool(set(party_ids) & set(tree.ancestor_ids(locality)))


def within_parties_condition(agreement_id):
    """A Q on localities: the parties of the agreement and the units below them (the givers and
    recipients its activities may name), for the admin's choices. No query of its own."""
    return tree.in_or_below(Party.objects.filter(agreement_id=agreement_id).values("locality_id"))
