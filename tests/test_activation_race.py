"""Two admins activating at the same moment: one wins, the other is told so, and the statuses and
the pointer always agree (issue 10, item 1). Real threads, each with its own connection."""

from __future__ import annotations

import dataclasses
import threading

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from recommender.app import catalogs_of
from recommender.extensions import db
from recommender.orm import ActiveModel, AuditEvent, ModelVersion
from recommender.services import accounts, versions
from tests.conftest import seed_version
from tests.test_admin import FAST_SCRYPT, admin_client, token_of

ROUNDS = 12


def candidate(app, trained, name: str) -> str:
    """A candidate as good as the active version (so the gate lets it through)."""
    return seed_version(app, dataclasses.replace(trained, version_id=name), activate=False).id


def consistency(app) -> tuple[str | None, list[str]]:
    """The pointer, and every version whose status says active."""
    with app.app_context():
        pointer = db.session.get(ActiveModel, 1)
        active = db.session.scalars(select(ModelVersion.id).where(ModelVersion.status == "active")).all()
        return (pointer.version_id if pointer else None), sorted(active)


def race(app, version_ids: list[str], *, meet_after_verifying: bool, monkeypatch) -> dict[str, str]:
    """Activate each version on its own thread at the same moment; returns what each was told."""
    start = threading.Barrier(len(version_ids))
    verified = threading.Barrier(len(version_ids))
    real_load = versions.load_recommender

    def load_then_meet(*args, **kwargs):
        loaded = real_load(*args, **kwargs)
        if meet_after_verifying:
            verified.wait(timeout=30)  # both have checked their artifact: neither has written yet
        return loaded

    monkeypatch.setattr(versions, "load_recommender", load_then_meet)
    told: dict[str, str] = {}

    def admin(version_id: str) -> None:
        with app.app_context():
            start.wait(timeout=30)
            try:
                decision = versions.activate(
                    db.session, version_id, actor=f"admin-{version_id}", floor=0.5, catalogs=catalogs_of(app)
                )
                told[version_id] = "won" if decision.allowed else f"refused: {decision.reason}"
            except versions.VersionError as exc:
                told[version_id] = f"lost: {exc}"
            except Exception as exc:  # anything else is a failure of the test's subject
                told[version_id] = f"error: {type(exc).__name__}: {exc}"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=admin, args=(v,)) for v in version_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "an activation hung"
    monkeypatch.setattr(versions, "load_recommender", real_load)
    return told


@pytest.mark.parametrize("meet_after_verifying", [True, False], ids=["same-moment", "free-running"])
def test_racing_activations_leave_one_active_version_and_the_loser_is_told(
    app, trained, monkeypatch, meet_after_verifying
):
    inconsistent, double_winners = [], []
    for round_ in range(ROUNDS):
        ids = [candidate(app, trained, f"race-{round_}-{side}") for side in "ab"]
        told = race(app, ids, meet_after_verifying=meet_after_verifying, monkeypatch=monkeypatch)
        pointer, active = consistency(app)
        if active != [pointer]:
            inconsistent.append((round_, pointer, active))
        winners = [v for v, outcome in told.items() if outcome == "won"]
        losers = {v: outcome for v, outcome in told.items() if outcome != "won"}
        assert not [o for o in told.values() if o.startswith(("error", "refused"))], told
        if meet_after_verifying:
            # Both started from the same active version: exactly one may move the pointer.
            if len(winners) != 1:
                double_winners.append((round_, told))
                continue
            assert winners == [pointer]
            (loser_outcome,) = losers.values()
            assert f"another activation won: {pointer} is now active" in loser_outcome
        else:
            # Free-running, they may also simply run one after the other; every loser is told.
            assert pointer in winners
            for outcome in losers.values():
                assert outcome.startswith("lost: another activation won")
    assert inconsistent == [], f"statuses and pointer disagreed in {len(inconsistent)} of {ROUNDS} rounds"
    assert double_winners == [], f"both admins were told they won in {len(double_winners)} of {ROUNDS} rounds"


def test_the_loser_is_recorded_in_the_audit_log(app, trained, monkeypatch):
    ids = [candidate(app, trained, f"audit-{side}") for side in "ab"]
    told = race(app, ids, meet_after_verifying=True, monkeypatch=monkeypatch)
    (loser,) = [v for v, outcome in told.items() if outcome != "won"]
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.target == loser)).all()
    assert [r.action for r in rows] == ["activate_refused"]
    assert "another activation won" in rows[0].detail["reason"]


def test_a_version_discarded_while_it_is_being_activated_is_not_served(app, trained, monkeypatch):
    """Discard and activate of one candidate race: the pointer never names a discarded version."""
    for round_ in range(4):
        version_id = candidate(app, trained, f"discard-race-{round_}")
        meet = threading.Barrier(2)
        real_load = versions.load_recommender

        def load_then_meet(*args, _real=real_load, _meet=meet, **kwargs):
            loaded = _real(*args, **kwargs)
            _meet.wait(timeout=30)
            return loaded

        monkeypatch.setattr(versions, "load_recommender", load_then_meet)
        outcomes: dict[str, str] = {}

        def do_activate(_id=version_id, _out=outcomes):
            with app.app_context():
                try:
                    versions.activate(db.session, _id, actor="a", floor=0.5, catalogs=catalogs_of(app))
                    _out["activate"] = "ok"
                except versions.VersionError as exc:
                    _out["activate"] = str(exc)
                finally:
                    db.session.remove()

        def do_discard(_id=version_id, _out=outcomes, _meet=meet):
            with app.app_context():
                db.session.get(ModelVersion, _id)  # the admin's page showed it as a candidate
                _meet.wait(timeout=30)
                try:
                    versions.discard(db.session, _id, actor="b")
                    _out["discard"] = "ok"
                except versions.VersionError as exc:
                    _out["discard"] = str(exc)
                finally:
                    db.session.remove()

        threads = [threading.Thread(target=do_activate), threading.Thread(target=do_discard)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        monkeypatch.setattr(versions, "load_recommender", real_load)
        pointer, active = consistency(app)
        assert active == [pointer], (round_, outcomes)
        with app.app_context():
            status = db.session.get(ModelVersion, version_id).status
        assert (status == "active") == (pointer == version_id), (round_, outcomes, status)
        assert status in ("active", "discarded")
        assert sorted(outcomes.values()).count("ok") == 1, outcomes


def beaten_while_verifying(app, monkeypatch, rival: str) -> None:
    """While the next activation checks its artifact, another admin activates `rival` (own connection)."""
    real_load = versions.load_recommender

    def load_and_lose(*args, **kwargs):
        loaded = real_load(*args, **kwargs)
        monkeypatch.setattr(versions, "load_recommender", real_load)
        other = threading.Thread(target=lambda: _activate_in_own_context(app, rival))
        other.start()
        other.join(timeout=60)
        return loaded

    monkeypatch.setattr(versions, "load_recommender", load_and_lose)


def _activate_in_own_context(app, version_id: str) -> None:
    with app.app_context():
        versions.activate(db.session, version_id, actor="rival", floor=0.5, catalogs=catalogs_of(app))
        db.session.remove()


def test_the_cli_tells_the_loser_who_won(app, trained, monkeypatch):
    mine, rival = candidate(app, trained, "cli-mine"), candidate(app, trained, "cli-rival")
    beaten_while_verifying(app, monkeypatch, rival)
    result = app.test_cli_runner().invoke(args=["models", "activate", mine])
    assert result.exit_code == 1
    assert f"another activation won: {rival} is now active" in result.output
    assert consistency(app) == (rival, [rival])


def test_the_admin_page_tells_the_loser_who_won(app, trained, monkeypatch):
    monkeypatch.setattr(accounts, "hash_password", lambda password: generate_password_hash(password, FAST_SCRYPT))
    mine, rival = candidate(app, trained, "web-mine"), candidate(app, trained, "web-rival")
    client = admin_client(app)
    token = token_of(client, f"/admin/versions/{mine}")
    beaten_while_verifying(app, monkeypatch, rival)
    response = client.post(f"/admin/versions/{mine}/activate", data={"csrf_token": token}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert f"another activation won: {rival} is now active" in page
    assert "Promoted" not in page
    assert consistency(app) == (rival, [rival])
