"""Re-encrypt every stored referral with the first key in REFERRAL_KEYS.

To rotate: generate a key (`python -m api.referrals.rotate --new-key`), put it first in
REFERRAL_KEYS keeping the old ones after it, restart, run this, then remove the old keys.
"""

from __future__ import annotations

import sys

from sqlmodel import Session

from api.core.config import get_settings
from api.core.crypto import FieldCipher, encryption_keys
from api.core.db import make_engine
from api.referrals.service import rotate_all


def main() -> None:
    if "--new-key" in sys.argv:
        print(FieldCipher.new_key())
        return
    settings = get_settings()
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        count = rotate_all(session, FieldCipher(encryption_keys(settings)))
    print(f"Re-encrypted {count} referrals with the newest key.")


if __name__ == "__main__":
    main()
