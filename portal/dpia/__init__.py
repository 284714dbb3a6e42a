"""The DPIA pack: a draft DPIA and a records-of-processing entry, built from a tenancy's effective set."""
