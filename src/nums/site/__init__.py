"""The scheme's site (issue 22): the web app of ``nums serve`` with accounts, roles and institutions.

A site is a folder: ``site.toml`` (settings), ``site.secret`` (the key CSRF tokens are made with),
``site.db`` (SQLite, unless ``database_url`` names another database) and ``workspace/`` (the
programmes, ``INSTITUTION/PROGRAMME/submission.yaml``, the same files the CLI reads). The modules
here are library functions over a SQLAlchemy ``Session``; the CLI and the web app call them.
"""

SETTINGS_FILE = "site.toml"
SECRET_FILE = "site.secret"
DATABASE_FILE = "site.db"
WORKSPACE_FOLDER = "workspace"
