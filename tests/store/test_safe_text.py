"""The display sanitiser: what is made visible, what is kept."""

from __future__ import annotations

from store.safe_text import visible

HELMET = "Helmet \x1b]0;PWNED\x07\x1b[2J\x1b[41mEVIL"


def test_visible_helper_rules() -> None:
    assert visible(HELMET) == "Helmet ␛]0;PWNED␇␛[2J␛[41mEVIL"
    assert visible("a\x9b31mb\x7f") == "a\\x9b31mb␡"
    assert visible("\u202aL\u202eR\u2066I\u2069") == "\\u202aL\\u202eR\\u2066I\\u2069"
    assert visible("line\nnext\ttab\r") == "line␊next␉tab␍"
    assert visible("line\nnext\ttab\r", multiline=True) == "line\nnext\ttab␍"
    kept = "Café Ærø 東京 ✓ 🚲 — naïve"
    assert visible(kept) is kept
