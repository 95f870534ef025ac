"""TGO Business API conformance kit."""
