"""How the kit's own tests run the tgo-conformance command: as a user would, in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from conformance.config import TargetConfig


@dataclass(frozen=True)
class ServedMock:
    config_path: Path
    config: TargetConfig


def cli(
    *args: str, timeout: float = 600, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the tgo-conformance command as a user would, in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "conformance", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=cwd,
        check=False,
    )


def clean_env() -> dict[str, str]:
    """The environment without TGO_* entries, so a developer's shell cannot steer a test run."""
    return {k: v for k, v in os.environ.items() if not k.startswith("TGO_")}
