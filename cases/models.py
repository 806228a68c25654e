"""Models of cases arrive with their issue (see DESIGN.md)."""
