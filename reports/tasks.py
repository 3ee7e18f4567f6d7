"""Background work of the reports app, run by the task backend of settings.TASKS."""

from django_tasks import task

from reports import handoff


@task()
def build_handoff_package(package_id: int) -> str:
    """Build one national hand-off package; a second run of the same package does nothing."""
    return handoff.build(package_id)
