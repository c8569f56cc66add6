"""Reports (a stage): what the МЦУ gives the Head of the district and the morning meeting —
the daily digest and the seasonal campaigns. Built from the store; the application posts them
through the alert sinks."""
