"""The campaign's work report (工作汇报) and ledgers (台账), from tallies and rows.

Pure rendering: the report package never opens a database; services hand it a
`TallyResult` or ledger rows and a path to write to.
"""
