"""Sync: the protocol types, the client loop and the central stores behind one interface."""
