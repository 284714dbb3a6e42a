"""Exit fixtures: the documents' test CA, so certificates are sealed for real."""

from tests.documents.conftest import signing_app, signing_keys  # noqa: F401  (fixtures)
