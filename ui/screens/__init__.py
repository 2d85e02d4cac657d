"""One screen per step of the guided diagnosis, plus the engineer views."""
