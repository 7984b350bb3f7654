"""Plain-Python domain: the quiz contract and the catalogues. Never imports Flask."""
