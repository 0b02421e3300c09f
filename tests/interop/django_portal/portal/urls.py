from django.urls import include, path

from . import views

urlpatterns = [
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("accounts/", include("allauth.urls")),
    path("me/", views.me),
    path("signed-out/", views.signed_out),
]
