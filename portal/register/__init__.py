"""The sub-processor register, tenancy options and each tenancy's effective set."""
