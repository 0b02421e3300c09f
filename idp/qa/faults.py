"""Failures on demand (SPEC §5.4): ``/_qa/faults`` and the hook that injects them.

A fault makes the next ``count`` requests at one OIDC endpoint fail with a
chosen status and OAuth error, or wait ``delay_ms`` first. Faults live in the
database and are counted down with one conditional UPDATE, so with
``--workers N`` each injected request is counted exactly once.
"""

from __future__ import annotations

import time
from typing import Annotated, ClassVar, Literal

from flask import jsonify, request
from pydantic import ConfigDict, Field, model_validator

from ..audit import record_event
from ..crypto.digests import token_digest
from ..extensions import now
from ..lifecycle.clients import find_client
from ..policy.faults import FAULT_ENDPOINTS, KINDS, MAX_COUNT, MAX_DELAY_MS, check_fault
from ..store import oauth as oauth_store
from ..store import qa as qa_store
from ..store.models import InjectedFault
from ..store.units import commit_now
from .api import QAError, bp, json_body
from .schemas import WHOLE, QARequest, Says, parse, rule_broken


def _fault_problem(body: dict) -> str | None:
    return check_fault(body)[0]


_SAYS = Says(_fault_problem, whole_body=True)


class FaultRequest(QARequest):
    """``POST /_qa/faults``: which endpoint, and how its next requests fail or slow down."""

    model_config = ConfigDict(
        json_schema_extra={
            # A status and error only for kind error (the default); a delay only, and
            # always, for kind delay.
            "if": {"required": ["kind"], "properties": {"kind": {"const": "delay"}}},
            "then": {
                "required": ["delay_ms"],
                "properties": {
                    "status": {"type": "null"},
                    "error": {"type": "null"},
                    "delay_ms": {"type": "integer"},
                },
            },
            "else": {"properties": {"delay_ms": {"type": "null"}}},
        }
    )
    # Where a fault's rules are broken, the policy's own sentence says how.
    explain: ClassVar = staticmethod(_fault_problem)

    endpoint: Annotated[Literal[tuple(FAULT_ENDPOINTS)], _SAYS]
    kind: Annotated[Literal[KINDS] | None, _SAYS] = "error"
    status: Annotated[int | None, Field(ge=400, le=599), WHOLE, _SAYS] = None
    error: Annotated[
        str | None,
        Field(
            description="An OAuth error code; empty or null: the status's usual one",
            pattern="^([a-z][a-z0-9_]{0,63})?$",
            examples=["temporarily_unavailable"],
        ),
        _SAYS,
    ] = None
    delay_ms: Annotated[int | None, Field(ge=1, le=MAX_DELAY_MS), WHOLE, _SAYS] = None
    count: Annotated[int | None, Field(ge=1, le=MAX_COUNT), WHOLE, _SAYS] = None
    client_id: Annotated[
        str | None, Field(description="Only this portal's requests (null: any)")
    ] = None

    @model_validator(mode="after")
    def _fault_rules(self):
        problem = _fault_problem(self.model_dump(exclude_unset=True))
        if problem:
            raise rule_broken(problem)
        return self


_ENDPOINT_NAMES = {flask_endpoint: name for name, flask_endpoint in FAULT_ENDPOINTS.items()}


def _event_detail(fault: InjectedFault) -> dict:
    # "kind" names the audit event itself, so the fault's kind goes in as fault_kind.
    detail = {k: v for k, v in fault.as_dict().items() if k not in ("created_at", "kind", "id")}
    return {"fault_id": fault.id, "fault_kind": fault.kind, **detail}


def add_qa_fault(body: dict) -> dict:
    """Store a fault from checked ``FaultRequest`` fields (defaults filled in)."""
    _, fault = check_fault(body)
    client_id = body.get("client_id")
    if client_id is not None and find_client(client_id) is None:
        raise QAError(404, "not_found", f"client_id: no registered client {client_id!r}.")
    row = InjectedFault(**fault, client_id=client_id, remaining=fault["count"], created_at=now())
    qa_store.add_fault(row)
    record_event("fault_added", **_event_detail(row))
    return row.as_dict()


@bp.post("/faults")
def add_fault():
    """Make the next ``count`` requests at ``endpoint`` fail or slow down."""
    return jsonify(add_qa_fault(parse(FaultRequest, json_body()))), 201


@bp.get("/faults")
def list_faults():
    """The faults that still have requests to hit, oldest first."""
    return jsonify([row.as_dict() for row in qa_store.active_faults()])


@bp.delete("/faults")
def clear_faults():
    """Forget every fault."""
    cleared = qa_store.clear_faults()
    record_event("faults_cleared", cleared=cleared)
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
        return oauth_store.client_id_of_access_token(token_digest(auth.token))
    return None


@bp.before_app_request
def inject_fault():
    """Fail or slow down this request when a fault is waiting for its endpoint."""
    name = _ENDPOINT_NAMES.get(request.endpoint or "")
    if name is None:
        return None
    # Most requests meet no fault: a plain one-column read says so cheaply.
    if not qa_store.fault_armed_at(name):
        return None
    candidates = qa_store.faults_waiting_at(name)
    if not candidates:
        return None
    client_id = _request_client_id()
    for fault in candidates:
        if fault.client_id is not None and fault.client_id != client_id:
            continue
        if not qa_store.count_down_fault(fault):
            continue
        record_event("fault_injected", **_event_detail(fault), request_client_id=client_id)
        # This request may never reach its view (whose return commits), and a delay
        # is counted for every worker before it waits.
        commit_now("fault count-down")
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
