"""Models of citizens arrive with their issue (see DESIGN.md)."""
