"""URLs of the showcase pages."""

urlpatterns: list = []
