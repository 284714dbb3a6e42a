"""The trust hub: the public security overview, security.txt, and diligence documents given on request."""
