"""The trust hub's domain error: the message is shown to the person as a form error."""


class TrustHubError(ValueError):
    """A request the trust hub refuses, with the reason in words for the person."""
