"""The scan pipeline (application layer): collect → analyse → store → alert, wired from the
settings. The CLI calls :func:`pipeline.run.scan` directly; the Prefect flows wrap the same
function with their own executor."""
