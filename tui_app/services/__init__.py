"""Use cases: the only callers of store/, sync/ and report/. Faces call these."""
