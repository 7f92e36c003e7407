"""The shared FastAPI dependencies."""

from __future__ import annotations

import inspect

from gateway.api import deps


def test_the_shared_dependencies_run_on_the_event_loop_not_in_a_worker_thread() -> None:
    """They only read app.state; a plain `def` would make FastAPI use a thread per request."""
    dependencies = [deps.get_settings_dep, deps.get_service, deps.get_engine]

    assert all(inspect.iscoroutinefunction(dependency) for dependency in dependencies)
