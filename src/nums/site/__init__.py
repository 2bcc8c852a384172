"""The scheme's site (issue 22): the web app of ``nums serve`` with accounts, roles and institutions.

A site is a folder: ``site.toml`` (settings), ``site.secret`` (the key CSRF tokens are made with),
``site.db`` (SQLite, unless ``database_url`` names another database), ``workspace/`` (the
programmes, ``INSTITUTION/PROGRAMME/submission.yaml``, the same files the CLI reads), ``keys/``
(the key awards are signed with) and ``awards/`` (the awards issued: ``nums.site.awards``). The modules
here are library functions over a SQLAlchemy ``Session``; the CLI and the web app call them.
"""

SETTINGS_FILE = "site.toml"
SECRET_FILE = "site.secret"
DATABASE_FILE = "site.db"
WORKSPACE_FOLDER = "workspace"
KEYS_FOLDER = "keys"  # the site's signing key pair (nums.awards.keys)
AWARDS_FOLDER = "awards"  # the site's issuing folder (nums.awards.issuing), files, no tables
