"""The portal's JSON API for the vendor's platform (/api/v1/) and the service tokens it is called with."""
