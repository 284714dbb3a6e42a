"""Background jobs (#26): long work a person can watch, run by huey workers from a row written with the request."""
