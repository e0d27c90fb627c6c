"""Write side of the store: operator actions and bulk writes. Every function takes a session."""
