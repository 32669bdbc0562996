"""Exports for the district office and ThaiQM entry: households, members, problems with their history, Re-X-ray results and confirmations, as XLSX or CSV."""
