from django.urls import re_path

from . import views

# Trailing slash optional; methods not listed for a route answer 405.
urlpatterns = [
    re_path(
        r"^api/v1/sender-numbers/?$",
        views.SenderNumberViewSet.as_view({"get": "list", "post": "create"}),
    ),
    re_path(
        r"^api/v1/messages/?$",
        views.MessageViewSet.as_view({"get": "list", "post": "create"}),
    ),
    re_path(r"^api/v1/contacts/lookup/?$", views.ContactLookupView.as_view()),
    re_path(r"^api/v1/usage/?$", views.UsageViewSet.as_view({"get": "list"})),
]

handler400 = "tgo.errors.handler400"
handler403 = "tgo.errors.handler403"
handler404 = "tgo.errors.handler404"
handler500 = "tgo.errors.handler500"
