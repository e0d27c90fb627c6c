"""US Direct supplier connector."""
