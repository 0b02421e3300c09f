"""insert_row: the hot path's new rows written with one plain INSERT, kept as loaded rows."""

from datetime import timedelta

from sqlalchemy import event, inspect

from idp.extensions import now
from idp.store import insert_row
from idp.store.models import AuditEvent, Interaction


def _interaction(uid: str, **values) -> Interaction:
    moment = now()
    return Interaction(
        uid=uid,
        client_id=None,
        params=values.pop("params", {}),
        prompt={},
        created_at=moment,
        expires_at=moment + timedelta(minutes=30),
        **values,
    )


def _statements(db):
    seen: list[str] = []
    event.listen(db.engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    return seen


def test_inserted_row_is_stored_and_loaded_without_another_statement(db):
    row = _interaction("insert-row-test", params={"a": 1})
    expires_at = row.expires_at
    seen = _statements(db)
    insert_row(row)
    assert len(seen) == 1 and seen[0].startswith("INSERT")
    assert inspect(row).persistent
    # Read from the row itself: given values and unset nullable columns (NULL).
    assert row.params == {"a": 1} and row.authenticated_at is None and row.sign_in is None
    db.session.commit()
    assert len(seen) == 1
    db.session.expunge_all()
    stored = db.session.get(Interaction, "insert-row-test")
    assert stored.params == {"a": 1} and stored.expires_at == expires_at


def test_inserted_row_gets_its_generated_key_and_column_defaults(db):
    row = AuditEvent(kind="insert_row_test", created_at=now())
    insert_row(row)
    db.session.commit()
    assert isinstance(row.id, int)
    # ``detail`` was left unset: the column default applies, read back on use.
    assert row.detail == {}
    db.session.expunge_all()
    assert db.session.get(AuditEvent, row.id).kind == "insert_row_test"


def test_later_change_to_an_inserted_row_is_flushed_as_an_update(db):
    row = _interaction("insert-row-update")
    insert_row(row)
    moment = now()
    row.denied_at = moment
    db.session.commit()
    db.session.expunge_all()
    assert db.session.get(Interaction, "insert-row-update").denied_at == moment


def test_rolled_back_insert_leaves_nothing(db):
    insert_row(_interaction("insert-row-rollback"))
    db.session.rollback()
    db.session.expunge_all()
    assert db.session.get(Interaction, "insert-row-rollback") is None
