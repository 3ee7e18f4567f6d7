"""Background work of the reports app, run by the task backend of settings.TASKS.

The hand-off task lives beside what it builds (`reports.handoff`); it is named here too because packages
queued before it moved are stored under this path.
"""

from reports.handoff import build_handoff_package

__all__ = ["build_handoff_package"]
