from django.urls import path

from scoring import views

urlpatterns = [
    path("catalogue/", views.edition_list, name="edition_list"),
    path("catalogue/upload/", views.edition_upload, name="edition_upload"),
    path("catalogue/<int:pk>/", views.edition_detail, name="edition_detail"),
]
