"""The throwaway PostgreSQL server the store and SSD tests use is real and isolated per test."""

from __future__ import annotations

import sqlalchemy as sa


def test_each_test_gets_its_own_empty_database_on_a_real_server(postgres_url, postgres_server):
    engine = sa.create_engine(postgres_url)
    with engine.begin() as conn:
        version = conn.execute(sa.text("SHOW server_version")).scalar_one()
        assert int(version.split(".")[0]) >= 13
        conn.execute(sa.text("CREATE TABLE t (x int)"))
        tables = conn.execute(
            sa.text("SELECT count(*) FROM information_schema.tables WHERE table_schema='public'")
        ).scalar_one()
    engine.dispose()
    assert tables == 1
    assert sa.make_url(postgres_url).database != sa.make_url(postgres_server).database
