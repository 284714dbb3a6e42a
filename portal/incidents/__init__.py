"""Personal data breaches: incidents, the 72-hour clock, affected tenancies, notices, acknowledgements."""
