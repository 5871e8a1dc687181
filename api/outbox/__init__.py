"""The transactional outbox: what the hub's system is owed about each referral (the
referral itself, then events about it), written in the same transaction as the change.
Referrals write it; the hub's delivery (api/hub/) reads and sends it."""
