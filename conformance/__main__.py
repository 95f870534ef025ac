"""`python -m conformance` is the tgo-conformance command."""

from conformance.cli import main

main()
