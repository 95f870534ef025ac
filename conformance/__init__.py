"""TGO Business API conformance kit."""

from importlib import metadata


def kit_version() -> str:
    """The installed kit's version, as reports name their generator."""
    try:
        return metadata.version("tgo-conformance")
    except metadata.PackageNotFoundError:
        return "unknown"
