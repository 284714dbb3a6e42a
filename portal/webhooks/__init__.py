"""Outgoing webhooks to the vendor's platform, signed per the Standard Webhooks specification (#27)."""
