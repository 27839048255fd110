"""Collecting responses on the web: invitations, responses in progress, submissions, and the ASGI app.

`invitations` makes personal links and resolves a token to its wave; `sessions` keeps a response in
progress so a respondent can leave and resume; `page_answers` turns one posted page into answers with the
importers' own validators; `submissions` stores the finished response once, atomically; `app` is the
Starlette application `loyalty serve` runs.
"""
