"""Database backends of the project (Django's own, with changes said in each)."""
