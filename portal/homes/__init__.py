"""The homes: where each person lands and what needs doing (#25)."""
