"""With the database down, a consented referral is spooled to disk, encrypted, and stored
(with its outbox entry) as soon as the database is back: exactly once."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from api.core.crypto import FieldCipher
from api.core.db import make_engine, migrate
from api.main import create_app
from api.outbox.models import OutboxEntry
from api.referrals import spool
from api.referrals.models import Referral
from api.referrals.runtime import ReferralRuntime
from tests.conftest import make_settings

# Nothing listens on the discard port: every connection is refused at once.
DEAD_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:9/nothing?connect_timeout=1"
ANSWERS = {"referral_consent": True, "name": "Philippa", "contact_detail": "07700 900777",
           "risk_threats": True}  # fmt: skip


@pytest.fixture
def cipher() -> FieldCipher:
    return FieldCipher([FieldCipher.new_key()])


@pytest.fixture
def live(tmp_path: Path) -> Engine:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    migrate(url)
    return make_engine(url)


def spooled_referral(tmp_path: Path, cipher: FieldCipher) -> Referral:
    dead = make_engine(DEAD_DATABASE)
    runtime = ReferralRuntime(dead, cipher, ("webhook",), tmp_path / "spool")
    referral = runtime.submit(answers=ANSWERS, referral_for="myself", locale="en", channel="sms")
    dead.dispose()
    return referral


def stored(engine: Engine) -> tuple[list[Referral], list[OutboxEntry]]:
    with Session(engine) as db_session:
        return list(db_session.exec(select(Referral))), list(db_session.exec(select(OutboxEntry)))


def test_a_referral_sent_while_the_database_is_down_is_spooled_encrypted(
    tmp_path: Path, cipher: FieldCipher
) -> None:
    referral = spooled_referral(tmp_path, cipher)
    assert referral.reference.startswith("FD-")
    files = spool.waiting(tmp_path / "spool")
    assert [f.name for f in files] == [f"{referral.id}{spool.SUFFIX}"]
    raw = files[0].read_bytes()
    for secret in (b"Philippa", b"07700", b"900777"):
        assert secret not in raw
    assert oct(files[0].stat().st_mode & 0o777) == "0o600"


def test_replay_stores_it_with_its_outbox_entry_exactly_once(
    tmp_path: Path, cipher: FieldCipher, live: Engine
) -> None:
    referral = spooled_referral(tmp_path, cipher)
    folder = tmp_path / "spool"
    keep = tmp_path / "copy.json"
    shutil.copy(spool.waiting(folder)[0], keep)
    assert spool.replay(live, folder) == 1
    assert spool.waiting(folder) == []
    # A crash after the commit, before the file was deleted: the file comes back.
    shutil.copy(keep, folder / keep.name.replace("copy.json", f"{referral.id}{spool.SUFFIX}"))
    spool.replay(live, folder)
    referrals, entries = stored(live)
    assert [(r.id, r.reference, r.priority) for r in referrals] == [
        (referral.id, referral.reference, "urgent")
    ]
    assert [(e.referral_id, e.connector, e.status) for e in entries] == [
        (referral.id, "webhook", "pending")
    ]
    assert cipher.decrypt(referrals[0].encrypted_answers)["name"] == "Philippa"


def test_while_the_database_is_still_down_the_file_waits(
    tmp_path: Path, cipher: FieldCipher
) -> None:
    spooled_referral(tmp_path, cipher)
    dead = make_engine(DEAD_DATABASE)
    assert spool.replay(dead, tmp_path / "spool") == 0
    dead.dispose()
    assert len(spool.waiting(tmp_path / "spool")) == 1


def test_a_file_claimed_by_a_process_that_died_is_taken_back(
    tmp_path: Path, cipher: FieldCipher, live: Engine
) -> None:
    spooled_referral(tmp_path, cipher)
    folder = tmp_path / "spool"
    path = spool.waiting(folder)[0]
    child = os.fork()
    if child == 0:
        os._exit(0)
    os.waitpid(child, 0)  # a process id that is certainly no longer running
    path.rename(path.with_name(path.name + f"{spool.CLAIMED}-{child}"))
    assert spool.waiting(folder) == []
    spool.recover_abandoned(folder)
    assert spool.replay(live, folder) == 1
    assert len(stored(live)[0]) == 1


def test_the_web_chat_still_answers_with_the_database_down(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, database_url=DEAD_DATABASE, migrate_on_start=False)
    with TestClient(create_app(settings)) as client:
        ordinary = client.post("/api/chat/messages", json={"text": "hello"})
        danger = client.post("/api/chat/messages", json={"text": "he is here and has a knife"})
    assert ordinary.status_code == danger.status_code == 200
    assert "0808 2000 247" in ordinary.json()["messages"][0]["text"]
    assert any("999" in m["text"] for m in danger.json()["messages"])
    assert any("press 55" in m["text"] for m in danger.json()["messages"])


def test_an_unreadable_file_is_quarantined_and_the_rest_still_stored(
    tmp_path: Path, cipher: FieldCipher, live: Engine
) -> None:
    folder = tmp_path / "spool"
    referral = spooled_referral(tmp_path, cipher)
    # Sorted first, so it stands in front of the good file.
    (folder / f"0000-cut-short{spool.SUFFIX}").write_text('{"referral": {"id": "x"', "utf-8")
    (folder / f"0001-wrong-shape{spool.SUFFIX}").write_text('{"referral": {}}', "utf-8")
    assert spool.replay(live, folder) == 1
    referrals, _ = stored(live)
    assert [r.id for r in referrals] == [referral.id]
    assert spool.waiting(folder) == [] and spool.quarantined(folder) == 2
    assert spool.replay(live, folder) == 0  # not retried for ever


async def test_the_replay_loop_outlives_a_failure(
    tmp_path: Path, cipher: FieldCipher, live: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One failure (a full disk, a permission changed by hand) must not end replaying."""
    import asyncio

    spooled_referral(tmp_path, cipher)
    folder = tmp_path / "spool"
    calls = []
    real_replay = spool.replay

    def failing_once(engine: Engine, where: Path) -> int:
        calls.append(where)
        if len(calls) == 1:
            raise OSError("disk trouble")
        return real_replay(engine, where)

    monkeypatch.setattr(spool, "replay", failing_once)
    from api.core.background import run_every

    async def replay() -> None:
        spool.replay(live, folder)

    stop = asyncio.Event()
    loop = asyncio.create_task(run_every("spool replay", 0.05, stop, replay))
    for _ in range(100):
        await asyncio.sleep(0.05)
        if stored(live)[0]:
            break
    stop.set()
    await loop
    assert len(calls) >= 2 and len(stored(live)[0]) == 1
