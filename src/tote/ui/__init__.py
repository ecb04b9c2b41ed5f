"""tote's web UI (port 8080): a live tote board, a browser for the sink database, and a
view of the whole stack. Server-rendered (Starlette + Jinja2, autoescaped), live parts
over server-sent events, one small stylesheet and script, no front-end build.

`create_ui_app(settings, log)` in `app.py` builds it; `tote serve ui` runs it.
"""
