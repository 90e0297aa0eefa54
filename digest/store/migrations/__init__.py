"""Alembic environment of the store (run programmatically by ``digest.store.sql``).

A regular package so that ``env.py`` ships with the wheel as an ordinary module;
``versions/`` is shipped by the ``package-data`` glob in ``pyproject.toml``.
"""
