"""OAuth storage: registered clients, authorization codes, tokens, used client
assertions and consent grants.

Every read, write and atomic claim of these rows is a function here. The
statements are built once (SQLAlchemy then reuses their compiled forms), and
the claims are single conditional UPDATEs or INSERTs that the database decides,
so that of any number of racing requests exactly one wins.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, func, insert, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite

from .base import db
from .models import (
    AuthorizationCode,
    ClientAssertion,
    ConsentGrant,
    OAuth2Client,
    SsoSession,
    Token,
)
from .rows import execute_plain, held_row, read_plain, request_memo
from .units import commit_now

# --- statements, built once ---

_CLIENT_BY_ID = select(OAuth2Client).where(OAuth2Client.client_id == bindparam("client_id"))
_CLIENT_METADATA = select(OAuth2Client.metadata_json)

_INSERT_CODE = insert(AuthorizationCode)
# The SSO session's real sign-in time comes with the code: the ID token needs it,
# and reading it here saves a statement after the claim's commit.
_CODE_BY_HASH = (
    select(AuthorizationCode, SsoSession.real_auth_time)
    .outerjoin(SsoSession, SsoSession.id == AuthorizationCode.sid)
    .where(AuthorizationCode.code_hash == bindparam("code_hash"))
)
_CLAIM_CODE = (
    update(AuthorizationCode)
    .where(AuthorizationCode.id == bindparam("code_id"), AuthorizationCode.used_at.is_(None))
    .values(used_at=bindparam("moment"))
)
_NONCE_USED = (
    select(AuthorizationCode.id)
    .where(
        AuthorizationCode.client_id == bindparam("client_id"),
        AuthorizationCode.nonce == bindparam("nonce"),
    )
    .limit(1)
)
_CLIENTS_OF_SESSION = (
    select(AuthorizationCode.client_id).where(AuthorizationCode.sid == bindparam("sid")).distinct()
)
_REAL_AUTH_TIME = select(SsoSession.real_auth_time).where(SsoSession.id == bindparam("sid"))

_INSERT_TOKEN = insert(Token)
_TOKEN_BY_ACCESS_HASH = select(Token).where(Token.access_token_hash == bindparam("digest"))
_TOKEN_BY_REFRESH_HASH = select(Token).where(Token.refresh_token_hash == bindparam("digest"))
_CHILD_TOKEN = select(Token.id).where(Token.parent_id == bindparam("parent_id")).limit(1)
_CLIENT_OF_ACCESS_TOKEN = select(Token.client_id).where(
    Token.access_token_hash == bindparam("digest")
)
# A bearer token is read with what its UserInfo answer needs besides the user (the
# claims its code asked for and its client): one statement, not three.
_BEARER_WITH_GRANT = (
    select(Token, AuthorizationCode.claims_request, OAuth2Client)
    .outerjoin(AuthorizationCode, AuthorizationCode.id == Token.authorization_code_id)
    .outerjoin(OAuth2Client, OAuth2Client.client_id == Token.client_id)
    .where(Token.access_token_hash == bindparam("digest"))
)

_ASSERTION_SEEN = (
    select(ClientAssertion.id)
    .where(
        ClientAssertion.client_id == bindparam("client_id"),
        ClientAssertion.jti == bindparam("jti"),
        ClientAssertion.expires_at >= bindparam("moment"),
    )
    .limit(1)
)
_FORGET_EXPIRED_ASSERTIONS = delete(ClientAssertion).where(
    ClientAssertion.expires_at < bindparam("moment")
)

_CONSENT = select(ConsentGrant).where(
    ConsentGrant.user_id == bindparam("user_id"), ConsentGrant.client_id == bindparam("client_id")
)
_CONSENT_ANSWER = select(
    ConsentGrant.scopes, ConsentGrant.claims, ConsentGrant.interaction_uid
).where(
    ConsentGrant.user_id == bindparam("user_id"), ConsentGrant.client_id == bindparam("client_id")
)

# INSERTs that skip a row whose unique key is taken, per (model, dialect).
_INSERTS_IF_NEW: dict[tuple[type, str], object] = {}
_DIALECT_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def _insert_if_new(model, values: dict) -> bool:
    """INSERT a row unless its unique key exists already; whether it was inserted.

    The database decides (ON CONFLICT DO NOTHING), so racing requests cannot both
    insert. RETURNING says whether the row went in: a driver's row count is -1
    where the dialect adds RETURNING itself.
    """
    name = db.session.get_bind().dialect.name
    statement = _INSERTS_IF_NEW.get((model, name))
    if statement is None:
        statement = (
            _DIALECT_INSERTS[name](model).on_conflict_do_nothing().returning(model.__table__.c.id)
        )
        _INSERTS_IF_NEW[(model, name)] = statement
    return execute_plain(statement, values).first() is not None


# --- clients ---


def find_client(client_id: str) -> OAuth2Client | None:
    """The registered client ``client_id``, or None; read once per request."""
    held = request_memo("clients")
    client = held_row(held.get(client_id))
    if client is None or client.client_id != client_id:
        client = db.session.execute(_CLIENT_BY_ID, {"client_id": client_id}).scalar_one_or_none()
        if client is not None:
            held[client_id] = client
    return client


def hold_client(client: OAuth2Client) -> None:
    """Keep ``client``, read along with another row, for ``find_client`` in this request."""
    request_memo("clients")[client.client_id] = client


def clients_held() -> list[OAuth2Client]:
    """The clients this request has looked up so far."""
    return [client for client in request_memo("clients").values() if client is not None]


def all_clients(order_by: str = "client_id") -> list[OAuth2Client]:
    """Every registered client, ordered by ``client_id`` or ``client_name``."""
    column = {"client_id": OAuth2Client.client_id, "client_name": OAuth2Client.client_name}
    return list(db.session.execute(select(OAuth2Client).order_by(column[order_by])).scalars())


def all_client_metadata() -> list[dict]:
    """The registered metadata of every client."""
    return [m or {} for m in db.session.execute(_CLIENT_METADATA).scalars()]


def add_client(client: OAuth2Client) -> None:
    """Keep a new client, written with its unit of work."""
    db.session.add(client)


def delete_client(client: OAuth2Client) -> None:
    """Delete ``client`` and every user's consent to it."""
    db.session.execute(delete(ConsentGrant).where(ConsentGrant.client_id == client.client_id))
    db.session.delete(client)


# --- authorization codes ---


def insert_code(values: dict) -> None:
    """Write a new authorization code row with a plain INSERT (no row object)."""
    execute_plain(_INSERT_CODE, values)


def add_code(code: AuthorizationCode) -> AuthorizationCode:
    """Write a code row object now (its id is known when this returns)."""
    db.session.add(code)
    db.session.flush()
    return code


def find_code(code_hash: str) -> tuple[AuthorizationCode, int | None] | None:
    """The code whose digest is ``code_hash`` and its SSO session's real sign-in time."""
    found = db.session.execute(_CODE_BY_HASH, {"code_hash": code_hash}).one_or_none()
    return None if found is None else (found[0], found[1])


def claim_code(code_id: int, moment: datetime) -> bool:
    """Mark code ``code_id`` used at ``moment`` if it is unused; whether this call did.

    One conditional UPDATE, committed with the unit: of two racing requests
    exactly one wins (the other waits for the winner's commit, SQLite's write lock
    or PostgreSQL's row lock, then finds the code used). Called once the tokens
    are signed, so the lock is not held while they are made.
    """
    claimed = execute_plain(_CLAIM_CODE, {"code_id": code_id, "moment": moment}).rowcount
    return claimed == 1


def nonce_used(client_id: str, nonce: str) -> bool:
    """Whether a code of ``client_id`` was issued with ``nonce``, as first read in
    this request (later calls in the request answer the same)."""
    seen = request_memo("nonces")
    key = (client_id, nonce)
    if key not in seen:
        found = execute_plain(_NONCE_USED, {"client_id": client_id, "nonce": nonce}).first()
        seen[key] = found is not None
    return seen[key]


def client_ids_of_session(sid: str) -> list[str]:
    """The clients that received a code in SSO session ``sid``."""
    return list(db.session.execute(_CLIENTS_OF_SESSION, {"sid": sid}).scalars())


def note_real_auth_time(sid: str, real: int | None) -> None:
    """Keep SSO session ``sid``'s real sign-in time, read along with another row, for
    ``real_auth_time_of_session`` in this request."""
    request_memo("real_auth_times")[sid] = real


def real_auth_time_of_session(sid: str) -> int | None:
    """The real (not QA clock) moment SSO session ``sid`` signed in, if known."""
    known = request_memo("real_auth_times")
    if sid not in known:
        known[sid] = execute_plain(_REAL_AUTH_TIME, {"sid": sid}).scalar_one_or_none()
    return known[sid]


def find_sso_session(sid: str) -> SsoSession | None:
    """The SSO session ``sid``, or None."""
    return db.session.get(SsoSession, sid)


# --- tokens ---


def insert_token(values: dict) -> None:
    """Write a new token row with a plain INSERT (no row object)."""
    execute_plain(_INSERT_TOKEN, values)


def find_token_by_access_digest(digest: str) -> Token | None:
    """The token row whose access token has digest ``digest``."""
    return db.session.execute(_TOKEN_BY_ACCESS_HASH, {"digest": digest}).scalar_one_or_none()


def find_token_by_refresh_digest(digest: str) -> Token | None:
    """The token row whose refresh token has digest ``digest``."""
    return db.session.execute(_TOKEN_BY_REFRESH_HASH, {"digest": digest}).scalar_one_or_none()


def find_bearer_with_grant(digest: str) -> Token | None:
    """The token whose access token has digest ``digest``; its code's ``claims``
    request (``claims_request_held``) and its client (``find_client``) are read in
    the same statement and held for the rest of the request."""
    found = db.session.execute(_BEARER_WITH_GRANT, {"digest": digest}).one_or_none()
    if found is None:
        return None
    token, claims_request, client = found
    request_memo("claims_requests")[token.id] = claims_request
    if client is not None:
        hold_client(client)
    return token


def claims_request_held(token: Token) -> dict | None:
    """The ``claims`` request of ``token``'s code, as ``find_bearer_with_grant`` read it."""
    return request_memo("claims_requests").get(token.id)


def client_id_of_access_token(digest: str) -> str | None:
    """The client an access token (by digest) was issued to, read without a row object."""
    return execute_plain(_CLIENT_OF_ACCESS_TOKEN, {"digest": digest}).scalar_one_or_none()


def was_rotated(token: Token) -> bool:
    """Whether a newer token was issued in exchange for ``token``'s refresh token."""
    return db.session.execute(_CHILD_TOKEN, {"parent_id": token.id}).first() is not None


def claim_refresh_token(token: Token, moment: datetime, grace_seconds: int) -> bool:
    """Take ``token``'s refresh token for one refresh if it is unused, or was rotated
    less than ``grace_seconds`` before ``moment``; whether this call did.

    One conditional UPDATE decides however requests race, committed at once
    (``EARLY_COMMITS``).
    """
    usable = Token.refresh_revoked_at.is_(None)
    if grace_seconds > 0:
        # A rotation stamps only refresh_revoked_at; a revocation stamps the
        # access token too, so a revoked grant never passes as a rotation.
        usable = usable | (
            Token.access_revoked_at.is_(None)
            & (Token.refresh_revoked_at > moment - timedelta(seconds=grace_seconds))
        )
    claimed = db.session.execute(
        update(Token)
        .where(Token.id == token.id, usable)
        .values(refresh_revoked_at=func.coalesce(Token.refresh_revoked_at, moment))
        .execution_options(synchronize_session=False)
    ).rowcount
    commit_now("refresh token claim")
    return claimed == 1


def reread_token(token: Token) -> Token:
    """``token`` with its columns read again from the database."""
    db.session.refresh(token)
    return token


def _revoke(condition, moment: datetime) -> int:
    """Stamp every still-live token matching ``condition`` as revoked; how many."""
    live = condition & (
        Token.access_revoked_at.is_(None)
        | (Token.refresh_token_hash.is_not(None) & Token.refresh_revoked_at.is_(None))
    )
    count = db.session.execute(select(func.count(Token.id)).where(live)).scalar_one()
    db.session.execute(
        update(Token)
        .where(condition, Token.access_revoked_at.is_(None))
        .values(access_revoked_at=moment)
    )
    db.session.execute(
        update(Token)
        .where(condition, Token.refresh_token_hash.is_not(None), Token.refresh_revoked_at.is_(None))
        .values(refresh_revoked_at=moment)
    )
    return count


def revoke_tokens_of_user(user_id: int, moment: datetime) -> int:
    """Revoke every live token issued to the user ``user_id``; how many."""
    return _revoke(Token.user_id == user_id, moment)


def revoke_tokens_of_client(client_id: str, moment: datetime) -> int:
    """Revoke every live token issued to the client ``client_id``; how many."""
    return _revoke(Token.client_id == client_id, moment)


def revoke_token_row(token_id: int, moment: datetime) -> int:
    """Revoke the access and refresh token of one row; how many rows were live."""
    return _revoke(Token.id == token_id, moment)


def revoke_tokens_of_code(authorization_code_id: int, moment: datetime) -> int:
    """Revoke every live token issued from one authorization code, refreshes included."""
    return _revoke(Token.authorization_code_id == authorization_code_id, moment)


def revoke_session_bound_tokens(sid: str, moment: datetime) -> int:
    """Revoke the tokens of SSO session ``sid`` whose refresh token was not granted
    ``offline_access``; how many."""
    spaced_scope = literal(" ") + Token.scope + literal(" ")
    offline = spaced_scope.contains(" offline_access ")
    return _revoke((Token.sid == sid) & Token.refresh_token_hash.is_not(None) & ~offline, moment)


# --- client assertions (private_key_jwt) ---


def forget_expired_assertions(moment: datetime) -> None:
    """Delete the used assertion ids that expired before ``moment``."""
    execute_plain(_FORGET_EXPIRED_ASSERTIONS, {"moment": moment})


def assertion_seen(client_id: str, jti: str, moment: datetime) -> bool:
    """Whether assertion id ``jti`` of ``client_id`` is recorded as used and not
    expired at ``moment`` (a read: ``remember_assertion`` decides a race)."""
    params = {"client_id": client_id, "jti": jti, "moment": moment}
    return execute_plain(_ASSERTION_SEEN, params).first() is not None


def remember_assertion(client_id: str, jti: str, expires_at: datetime) -> bool:
    """Record assertion id ``jti`` of ``client_id`` as used; False if it was already.

    The (client_id, jti) unique constraint decides, however requests race.
    """
    values = {"client_id": client_id, "jti": jti, "expires_at": expires_at}
    return _insert_if_new(ClientAssertion, values)


# --- consent grants ---


def find_consent(user_id: int, client_id: str) -> ConsentGrant | None:
    """The user's remembered consent for ``client_id``, as a row object."""
    return db.session.execute(
        _CONSENT, {"user_id": user_id, "client_id": client_id}
    ).scalar_one_or_none()


def consent_answer(user_id: int, client_id: str):
    """The remembered consent as a plain row (``scopes``, ``claims``,
    ``interaction_uid``), seeing this request's unsaved changes; None if never given."""
    return read_plain(_CONSENT_ANSWER, {"user_id": user_id, "client_id": client_id}).first()


def consent_to_change(user_id: int, client_id: str, moment: datetime) -> ConsentGrant:
    """The user's consent row for ``client_id``, made empty first if there is none.

    Of two requests recording a first answer at once, one makes the row and
    both change it (the unique constraint decides, with no error to recover from).
    """
    grant = find_consent(user_id, client_id)
    if grant is None:
        values = {
            "user_id": user_id,
            "client_id": client_id,
            "scopes": [],
            "claims": [],
            "granted_at": moment,
            "interaction_uid": None,
        }
        _insert_if_new(ConsentGrant, values)
        grant = find_consent(user_id, client_id)
    return grant


def save_consent(grant: ConsentGrant) -> None:
    """Write the changes made to ``grant`` (and the unit's others) now, not committed:
    the journey reads consent with plain statements, which do not flush first."""
    db.session.flush()
