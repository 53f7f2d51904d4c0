"""A separate process that publishes the demo to a store, for the store's concurrency and crash tests.

``python -m tests.store_publisher URL --wait-for FILE`` publishes once FILE exists (two of them start
together); ``--stop-after-episodes MARKER`` writes MARKER once the episodes blob is sent inside the publish
transaction and then sleeps, so the test can SIGKILL it mid-publish.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--wait-for", type=Path)
    parser.add_argument("--stop-after-episodes", type=Path)
    parser.add_argument("--by", default="publisher")
    args = parser.parse_args(argv)

    from sqlalchemy import event

    from data.readers import read_folder
    from store.engine import get_engine
    from store.snapshots import publish_dataset

    dataset = read_folder(ROOT / "data" / "demo_data", la="E10000016")
    engine = get_engine(args.url)
    if args.stop_after_episodes:

        @event.listens_for(engine, "after_cursor_execute")
        def _pause(conn, cursor, statement, parameters, context, executemany):
            if "INSERT INTO snapshot_tables" in statement and "episodes" in repr(parameters)[:2000]:
                args.stop_after_episodes.write_text("inside the publish transaction")
                time.sleep(600)

    if args.wait_for:
        while not args.wait_for.exists():
            time.sleep(0.01)
    info = publish_dataset(dataset, published_by=args.by, engine=engine)
    print(info.id, info.published_at.isoformat())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
