"""Training and ranking. Never imports Flask; only training imports scikit-learn."""
