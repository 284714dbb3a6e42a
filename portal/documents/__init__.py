"""Agreements: DPA text versions, PDF rendering, signing, storage and verification."""
