"""Scheduled pushes: the volunteers' daily digest, deadline reminders, the supervisors' (and admins') daily progress.

    job every few minutes ──► schedule: what is due now (local day, configured time, not in quiet hours)
                          ──► planning: recipients and messages per municipality (SQL aggregates)
                          ──► dispatch: claim (person, kind, day) once in push_records, queue in the
                              outbox, push with the derived retry key, back off, record the outcome
"""
