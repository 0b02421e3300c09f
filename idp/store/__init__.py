"""Storage: the models (``store.models``) and the session every request works in.

Only this package imports SQLAlchemy.
"""

from __future__ import annotations

from .base import db
from .rows import execute_plain, held_row, insert_row, read_plain, request_memo

__all__ = ["db", "execute_plain", "held_row", "insert_row", "read_plain", "request_memo"]
