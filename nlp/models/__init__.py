"""Trained model files (.npz) and their model cards (.md); see docs/dev/nlp.md."""
