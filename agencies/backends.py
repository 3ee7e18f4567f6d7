from django.contrib.auth.backends import ModelBackend

from agencies.models import User


class RegionModelBackend(ModelBackend):
    """Django's model backend, loading the signed-in person with their region.

    Every page shows the region in the navigation bar and scopes its queries by it: one join
    here saves a query on each request.
    """

    def get_user(self, user_id):
        try:
            user = User._default_manager.select_related("region").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
