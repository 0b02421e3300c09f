"""The declarative base and the Flask-SQLAlchemy handle every store module shares."""

from __future__ import annotations

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """The declarative base every model in ``idp.store.models`` derives from."""


db = SQLAlchemy(model_class=Base)
