"""Hand-written lexicons shipped with the package (sentiment, triggers, stopwords)."""
