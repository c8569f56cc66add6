"""Reports (a stage): what the МЦУ gives the Head of the district and the morning meeting —
the daily digest, the deadlines of the risk procedure, the ratings of blocks and territorial
departments, the weekly and monthly report (PDF, XLSX) and the seasonal campaigns. Built from
the store; the application posts them through the alert sinks."""
