"""Read side of the store: paged, filtered, counted queries. Every function takes a session."""
