"""Audit rows written by a Celery worker name the user who asked, and "worker" as the address.

The web request's actor travels with every task as a message header (`audit_actor`: user id and
name), added when the task is published and restored before it runs, so no task signature has
to carry it and none can forget it. A task nobody asked for (beat) runs with no user.
"""

from __future__ import annotations

from celery import signals

from infusion_rcm.audit.context import WORKER_ADDRESS, Actor, current_actor, reset_actor, set_actor

HEADER = "audit_actor"


def _on_publish(sender=None, headers=None, **kwargs):
    actor = current_actor()
    if headers is not None and actor is not None and actor.user_id is not None and HEADER not in headers:
        headers[HEADER] = {"user_id": actor.user_id, "username": actor.username}


def actor_of(request) -> Actor:
    raw = getattr(request, HEADER, None) or (getattr(request, "headers", None) or {}).get(HEADER) or {}
    user_id = raw.get("user_id") if isinstance(raw, dict) else None
    return Actor(
        user_id=int(user_id) if isinstance(user_id, int) else None,
        username=str(raw.get("username", ""))[:150] if user_id is not None else "",
        ip=WORKER_ADDRESS,
    )


def _on_prerun(task_id=None, task=None, **kwargs):
    if task is None:
        return
    actor = actor_of(task.request)
    running = current_actor()
    if actor.user_id is None and running is not None and running.user_id is not None:
        return  # run in-process inside a request (embedded mode): the request's actor stands
    task._audit_token = set_actor(actor)


def _on_postrun(task_id=None, task=None, **kwargs):
    token = getattr(task, "_audit_token", None)
    if token is not None:
        try:
            reset_actor(token)
        except ValueError:
            set_actor(None)  # reset from another context (eager runs): clear instead
        task._audit_token = None


def connect() -> None:
    signals.before_task_publish.connect(_on_publish, dispatch_uid="audit_task_publish", weak=False)
    signals.task_prerun.connect(_on_prerun, dispatch_uid="audit_task_prerun", weak=False)
    signals.task_postrun.connect(_on_postrun, dispatch_uid="audit_task_postrun", weak=False)
