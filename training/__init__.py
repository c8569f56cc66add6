"""Training scripts of the shipped models; they read ../shared/data and write nlp/models/."""
