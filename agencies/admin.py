from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Membership, Region, User


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent"]
    search_fields = ["code", "name"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "region", "is_active"]
    list_filter = ["kind", "is_active", "region"]
    list_select_related = ["parent", "region"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]

    def has_delete_permission(self, request, obj=None):
        # An agency with history is deactivated, never deleted.
        if obj is not None and (obj.innovations.exists() or obj.children.exists()):
            return False
        return super().has_delete_permission(request, obj)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["agency"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["full_name"]
    list_display = ["email", "full_name", "role", "region", "is_active"]
    list_filter = ["role", "is_active", "region"]
    list_select_related = ["region"]
    search_fields = ["email", "full_name", "nip"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["full_name", "nip", "phone", "role", "region"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "full_name", "role", "region", "password1", "password2"],
            },
        )
    ]
