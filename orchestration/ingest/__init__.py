"""Contract-driven ingest of agency extracts into the raw layer."""
