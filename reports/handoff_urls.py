"""URLs of the handoff pages."""

urlpatterns: list = []
