"""A throwaway PostgreSQL database for one benchmark run (the benchmarks' shared helper)."""

from __future__ import annotations

import os
import uuid

import psycopg

# Where to create databases: the server's maintenance database, trust auth on loopback.
ADMIN_DSN = os.environ.get("PORTAL_BENCH_PG_DSN", "postgresql://127.0.0.1:5432/test")


def create_database() -> tuple[str, str]:
    """A new empty database: its name and its SQLAlchemy URI."""
    name = f"portal_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    host = ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    return name, f"{host}/{name}"


def drop_database(name: str) -> None:
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
