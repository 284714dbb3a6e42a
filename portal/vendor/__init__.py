"""The vendor console: the day's attention list and tenancy onboarding."""
