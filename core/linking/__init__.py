"""Verified links between messenger accounts and the school's people (issue 4).

An account gets a link only through something the school handed out or already knows: a
one-time invite code (``redeem``) or the user's own phone number (``phone``). Every use case
here flushes and never commits: the caller (a per-update session, a CLI command) owns the
transaction. No function reads the system clock; ``now`` and ``today`` are passed in.
"""
