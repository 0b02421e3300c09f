"""What the test reads back: who the portal thinks is signed in, and how."""

from urllib.parse import urlencode

from django.conf import settings
from django.http import JsonResponse
from django.middleware.csrf import get_token


def me(request):
    """The signed-in user as each library left it (401 when nobody is)."""
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False}, status=401)
    social = [
        {"provider": account.provider, "uid": account.uid, "extra_data": account.extra_data}
        for account in request.user.socialaccount_set.all()
    ]
    return JsonResponse(
        {
            "signed_in": True,
            "email": request.user.email,
            "username": request.user.username,
            "id_token": request.session.get("oidc_id_token"),
            "socialaccounts": social,
            "csrf_token": get_token(request),
        }
    )


def signed_out(request):
    return JsonResponse({"signed_in": request.user.is_authenticated})


def ohid_logout_url(request):
    """mozilla-django-oidc's OIDC_OP_LOGOUT_URL_METHOD: RP-Initiated Logout at the OP."""
    query = {
        "client_id": settings.OIDC_RP_CLIENT_ID,
        "post_logout_redirect_uri": request.build_absolute_uri(settings.LOGOUT_REDIRECT_URL),
    }
    if request.session.get("oidc_id_token"):
        query["id_token_hint"] = request.session["oidc_id_token"]
    return f"{settings.OHID_END_SESSION_ENDPOINT}?{urlencode(query)}"
