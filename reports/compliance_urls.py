"""URLs of the compliance pages."""

urlpatterns: list = []
