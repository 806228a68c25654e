"""SLA of cases (DESIGN.md "SLA"): one package per concern of it.

- business_time: pure calendar arithmetic (business minutes, deadlines), no database.
- engine: reads and clock arithmetic (policy for a case, deadlines, what is due).
- services: the writers (refresh a case's clock, the sweep, recompute after a calendar change).
- selectors: reads for pages (a case's clock, the supervisors' board, compliance).
- filters, views: the supervisors' SLA board.
"""
