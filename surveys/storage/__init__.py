"""The workspace database: tables, engine, migrations, and the functions that store and load survey data.

SQLite file in the workspace by default (WAL, foreign keys on), PostgreSQL by URL; the same tests run on
both. The engine is made by a function from a URL, never at import time, and the schema is created or
migrated by a command (`loyalty init`, `loyalty migrate`), never as a side effect of importing a module.
"""
