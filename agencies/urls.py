from django.contrib.auth import views as auth_views
from django.urls import path

from agencies import views

urlpatterns = [
    path("agencies/", views.agency_list, name="agency_list"),
    path("agencies/new/", views.agency_create, name="agency_create"),
    path("agencies/import/", views.agency_import, name="agency_import"),
    path("agencies/parents/", views.agency_parent_options, name="agency_parent_options"),
    path("agencies/<int:pk>/", views.agency_detail, name="agency_detail"),
    path("agencies/<int:pk>/edit/", views.agency_edit, name="agency_edit"),
    path("agencies/<int:pk>/active/", views.agency_set_active, name="agency_set_active"),
    path("agencies/<int:pk>/delete/", views.agency_delete, name="agency_delete"),
    path("setup/region/", views.region_setup, name="region_setup"),
    path("people/", views.person_list, name="person_list"),
    path("people/invite/", views.person_invite, name="person_invite"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/active/", views.person_set_active, name="person_set_active"),
    path("people/<int:pk>/invite-again/", views.person_resend_invitation, name="person_resend_invitation"),
    path("people/<int:pk>/unlock/", views.person_unlock, name="person_unlock"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path(
        "accounts/invitation/<uidb64>/<token>/",
        views.InvitationAcceptView.as_view(),
        name="invitation_accept",
    ),
    path("accounts/invitation/done/", views.InvitationDoneView.as_view(), name="invitation_done"),
]
