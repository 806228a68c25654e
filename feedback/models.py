"""Models of feedback arrive with their issue (see DESIGN.md)."""
