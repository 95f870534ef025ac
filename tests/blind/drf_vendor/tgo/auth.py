"""API keys in X-Api-Key (DRF authentication) and per-operation scopes (DRF permission)."""

from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission

from .errors import InvalidApiKey, MissingApiKey
from .state import get_store


class ApiKeyAuthentication(BaseAuthentication):
    """request.user is the key's Account, request.auth the ApiKey."""

    def authenticate(self, request):
        raw = request.META.get("HTTP_X_API_KEY")
        if raw is None or raw == "":
            raise MissingApiKey()
        # No trimming: the docs list stray whitespace in the key as a cause of invalid_api_key.
        store = get_store()
        key = store.active_key(raw)
        if key is None:
            raise InvalidApiKey()
        return store.accounts[key.account], key

    def authenticate_header(self, request):
        return 'ApiKey header="X-Api-Key"'


class HasRequiredScope(BasePermission):
    """The view names the scope each action needs (None: any valid key of the account)."""

    code = "insufficient_scope"

    def has_permission(self, request, view):
        scope = view.required_scope(request)
        if scope is None or request.auth.allows(scope):
            return True
        self.message = f"API key lacks the required scope for this operation: {scope}"
        return False
