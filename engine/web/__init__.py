"""``qmt-engine serve``: watch and steer a running engine from a browser (FastAPI + uvicorn).

A separate process from the engine: it reads the audit database read-only
(SQLite ``mode=ro``) and writes nothing but operator commands to the control
file (the same ones ``qmt-engine halt`` / ``resume`` write). Build the app with
:func:`engine.web.app.create_app`; docs/web.md says how to run and reach it.
"""
