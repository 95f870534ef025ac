"""Django settings, configured in code (no database, no templates, no sessions)."""

import secrets

from django.conf import settings

MAX_REQUEST_BYTES = 20 * 1024 * 1024  # whole request body
MAX_MEDIA_BYTES = 16 * 1024 * 1024  # one uploaded media file


def configure() -> None:
    if settings.configured:
        return
    settings.configure(
        DEBUG=False,
        SECRET_KEY=secrets.token_urlsafe(32),
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF="tgo.urls",
        INSTALLED_APPS=["rest_framework"],
        MIDDLEWARE=["tgo.middleware.BodySizeLimitMiddleware"],
        DATABASES={},
        USE_TZ=True,
        TIME_ZONE="UTC",
        USE_I18N=False,
        DEFAULT_CHARSET="utf-8",
        # Uploaded media stays in memory (never written to disk); the middleware caps the
        # request size before Django reads it.
        FILE_UPLOAD_HANDLERS=["django.core.files.uploadhandler.MemoryFileUploadHandler"],
        FILE_UPLOAD_MAX_MEMORY_SIZE=MAX_REQUEST_BYTES + 1024 * 1024,
        DATA_UPLOAD_MAX_MEMORY_SIZE=2_621_440,
        DATA_UPLOAD_MAX_NUMBER_FIELDS=200,
        DATA_UPLOAD_MAX_NUMBER_FILES=10,
        LOGGING={
            "version": 1,
            "disable_existing_loggers": False,
            "handlers": {"stderr": {"class": "logging.StreamHandler", "level": "WARNING"}},
            "loggers": {
                # 4xx answers are normal client behaviour, not server warnings.
                "django.server": {"handlers": ["stderr"], "level": "ERROR", "propagate": False},
                "django.request": {"handlers": ["stderr"], "level": "ERROR", "propagate": False},
                "django": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
            },
        },
        REST_FRAMEWORK={
            "DEFAULT_AUTHENTICATION_CLASSES": ["tgo.auth.ApiKeyAuthentication"],
            "DEFAULT_PERMISSION_CLASSES": ["tgo.auth.HasRequiredScope"],
            "DEFAULT_RENDERER_CLASSES": ["tgo.renderers.SafeJSONRenderer"],
            "DEFAULT_PARSER_CLASSES": [
                "tgo.parsers.JSONParser",
                "rest_framework.parsers.MultiPartParser",
                "rest_framework.parsers.FormParser",
            ],
            "DEFAULT_CONTENT_NEGOTIATION_CLASS": "tgo.renderers.AlwaysJSONNegotiation",
            "DEFAULT_PAGINATION_CLASS": "tgo.pagination.PageNumberPagination",
            "PAGE_SIZE": 4,
            "EXCEPTION_HANDLER": "tgo.errors.exception_handler",
            "DEFAULT_THROTTLE_CLASSES": [],
            "DEFAULT_METADATA_CLASS": None,
            "DEFAULT_VERSIONING_CLASS": None,
            "UNAUTHENTICATED_USER": None,
            "UNAUTHENTICATED_TOKEN": None,
            "UNICODE_JSON": True,
        },
    )
