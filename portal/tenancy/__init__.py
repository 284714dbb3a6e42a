"""Schools and trusts: memberships, roles, invitations and the scoping of every tenancy page."""
