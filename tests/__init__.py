import pytest

# tests.pages (the page-checking client) is imported by conftest, not collected: rewrite its asserts
# as pytest does a test module's, so a failed page check explains itself.
pytest.register_assert_rewrite("tests.pages")
