"""The shipped conformance suite. Run it with `tgo-conformance run`, or
`pytest --pyargs conformance.suite --tgo-config FILE`."""
