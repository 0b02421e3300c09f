"""Failures on demand (SPEC §5.4): ``/_qa/faults`` and the hook that injects them.

A fault makes the next ``count`` requests at one OIDC endpoint fail with a
chosen status and OAuth error, or wait ``delay_ms`` first. Faults live in the
database and are counted down with one conditional UPDATE, so with
``--workers N`` each injected request is counted exactly once.
"""

from __future__ import annotations

import time

from flask import jsonify, request

from ..audit import record_event
from ..extensions import db, execute_plain, now
from ..lifecycle.clients import find_client
from ..models import InjectedFault, Token
from ..policy.faults import FAULT_ENDPOINTS, check_fault
from ..security.digests import token_digest
from .api import QAError, bp, check_types, json_body

FIELDS = {
    "endpoint": str,
    "kind": str,
    "status": int,
    "error": str,
    "delay_ms": int,
    "count": int,
    "client_id": str,
}
_ENDPOINT_NAMES = {flask_endpoint: name for name, flask_endpoint in FAULT_ENDPOINTS.items()}


def _active():
    return db.select(InjectedFault).where(InjectedFault.remaining > 0).order_by(InjectedFault.id)


_ACTIVE_AT = _active().where(InjectedFault.endpoint == db.bindparam("endpoint"))
_TOKEN_CLIENT = db.select(Token.client_id).where(Token.access_token_hash == db.bindparam("digest"))
_ARMED = (
    db.select(InjectedFault.id)
    .where(InjectedFault.remaining > 0, InjectedFault.endpoint == db.bindparam("endpoint"))
    .limit(1)
)


def _event_detail(fault: InjectedFault) -> dict:
    # "kind" names the audit event itself, so the fault's kind goes in as fault_kind.
    detail = {k: v for k, v in fault.as_dict().items() if k not in ("created_at", "kind", "id")}
    return {"fault_id": fault.id, "fault_kind": fault.kind, **detail}


@bp.post("/faults")
def add_fault():
    """Make the next ``count`` requests at ``endpoint`` fail or slow down."""
    body = json_body()
    check_types(body, FIELDS)
    problem, fault = check_fault(body)
    if problem:
        raise QAError(400, "invalid_request", problem)
    client_id = body.get("client_id")
    if client_id is not None and find_client(client_id) is None:
        raise QAError(404, "not_found", f"client_id: no registered client {client_id!r}.")
    row = InjectedFault(**fault, client_id=client_id, remaining=fault["count"], created_at=now())
    db.session.add(row)
    db.session.flush()
    record_event("fault_added", **_event_detail(row))
    db.session.commit()
    return jsonify(row.as_dict()), 201


@bp.get("/faults")
def list_faults():
    """The faults that still have requests to hit, oldest first."""
    return jsonify([row.as_dict() for row in db.session.execute(_active()).scalars()])


@bp.delete("/faults")
def clear_faults():
    """Forget every fault."""
    cleared = db.session.execute(db.delete(InjectedFault)).rowcount
    record_event("faults_cleared", cleared=cleared)
    db.session.commit()
    return jsonify(cleared=cleared)


def _request_client_id() -> str | None:
    """The client a request comes from, as far as the request itself says."""
    client_id = request.args.get("client_id") or (
        request.form.get("client_id") if request.mimetype.endswith("form-urlencoded") else None
    )
    if client_id:
        return client_id
    auth = request.authorization
    if auth is not None and auth.type == "basic":
        return auth.username
    if auth is not None and auth.type == "bearer" and auth.token:
        return execute_plain(
            _TOKEN_CLIENT, {"digest": token_digest(auth.token)}
        ).scalar_one_or_none()
    return None


def _claim(fault: InjectedFault) -> bool:
    """Count one request against ``fault``; False when another request took the last one."""
    taken = db.session.execute(
        db.update(InjectedFault)
        .where(InjectedFault.id == fault.id, InjectedFault.remaining > 0)
        .values(remaining=InjectedFault.remaining - 1)
    ).rowcount
    db.session.commit()
    return taken == 1


@bp.before_app_request
def inject_fault():
    """Fail or slow down this request when a fault is waiting for its endpoint."""
    name = _ENDPOINT_NAMES.get(request.endpoint or "")
    if name is None:
        return None
    # Most requests meet no fault: a plain one-column read says so cheaply.
    if execute_plain(_ARMED, {"endpoint": name}).first() is None:
        return None
    candidates = db.session.execute(_ACTIVE_AT, {"endpoint": name}).scalars().all()
    if not candidates:
        return None
    client_id = _request_client_id()
    for fault in candidates:
        if fault.client_id is not None and fault.client_id != client_id:
            continue
        if not _claim(fault):
            continue
        record_event("fault_injected", **_event_detail(fault), request_client_id=client_id)
        db.session.commit()
        if fault.kind == "delay":
            time.sleep(fault.delay_ms / 1000)
            return None
        response = jsonify(
            error=fault.error,
            error_description=f"Injected by /_qa/faults: {name} answers {fault.status}.",
        )
        response.status_code = fault.status
        if fault.status == 503:
            response.headers["Retry-After"] = "1"
        return response
    return None
