"""TGO Business API: an independent Django REST Framework implementation (in-memory)."""
