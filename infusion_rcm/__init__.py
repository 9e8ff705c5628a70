"""Infusion RCM project package.

The Celery app is imported by the platform app's ready() (so @shared_task binds to it), not
here: pure domain modules import infusion_rcm.common and must not drag in Celery or Django.
"""
