"""A minimal Django portal signing in to mock-ohid with two libraries side by side:
mozilla-django-oidc (under /oidc/) and django-allauth's ``openid_connect``
provider (under /accounts/). Each gets only the settings its documentation asks
of any OpenID Connect provider; the values come from the environment the test
(or a developer) sets."""

import os

BASE = os.environ["PORTAL_DATA_DIR"]
ISSUER = os.environ["OHID_ISSUER"]

SECRET_KEY = "django-portal-test-key-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.path.join(BASE, "portal.db")}
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Refused requests (SuspiciousOperation) logged where the developer looks.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.security": {"handlers": ["console"], "level": "ERROR"}},
}

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "mozilla_django_oidc",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # mozilla-django-oidc's documented session refresh: once the ID token's renewal
    # time passes, the next page signs in again silently (prompt=none).
    "mozilla_django_oidc.middleware.SessionRefresh",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
AUTHENTICATION_BACKENDS = [
    "mozilla_django_oidc.auth.OIDCAuthenticationBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# mozilla-django-oidc: it has no discovery, so its docs ask for each endpoint
# (copied from the issuer's discovery document) and, as its default is HS256,
# for the provider's signing algorithm and JWKS.
OIDC_RP_CLIENT_ID = os.environ.get("MOZILLA_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("MOZILLA_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OHID_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OHID_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OHID_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OHID_JWKS_URI", "")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
# Its documented RP-initiated logout: a function building the end-session URL
# from the ID token it keeps.
OIDC_OP_LOGOUT_URL_METHOD = "portal.views.ohid_logout_url"
OHID_END_SESSION_ENDPOINT = os.environ.get("OHID_END_SESSION_ENDPOINT", "")
OIDC_STORE_ID_TOKEN = True
# Its default renewal time is 15 minutes; the refresh test shortens it.
OIDC_RENEW_ID_TOKEN_EXPIRY_SECONDS = int(os.environ.get("OIDC_RENEW_ID_TOKEN_EXPIRY_SECONDS", 900))
LOGIN_REDIRECT_URL = "/me/"
LOGOUT_REDIRECT_URL = "/signed-out/"

# django-allauth: one openid_connect app whose server_url is the issuer.
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "APPS": [
            {
                "provider_id": "ohid",
                "name": "One Healthcare ID",
                "client_id": os.environ.get("ALLAUTH_CLIENT_ID", ""),
                "secret": os.environ.get("ALLAUTH_CLIENT_SECRET", ""),
                "settings": {"server_url": ISSUER},
            }
        ]
    }
}
