"""What the hypothesis suites share: one fixed profile and a count of the cases each property ran."""

from __future__ import annotations

import os
from collections import Counter

import pytest
from hypothesis import HealthCheck, settings

# A fixed profile: the same cases on every run and machine (CI), no deadline (a shared 2-core box).
# CARE_MAP_FUZZ_EXAMPLES=N sets every property's example count to N for a longer local hunt.
_EXAMPLES = int(os.environ.get("CARE_MAP_FUZZ_EXAMPLES", "0")) or None
FUZZ = settings(
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)


def examples(n: int) -> settings:
    return settings(FUZZ, max_examples=_EXAMPLES or n)


def case_counter():
    """(Counter, autouse module fixture) that prints how many cases each property ran, even under capture."""
    cases: Counter = Counter()

    @pytest.fixture(scope="module", autouse=True)
    def _print_case_counts(request):
        yield
        text = "\n".join(
            [f"hypothesis cases run ({request.module.__name__}):"]
            + [f"  {name}: {count}" for name, count in sorted(cases.items())]
        )
        capture = request.config.pluginmanager.getplugin("capturemanager")
        if capture is not None:
            with capture.global_and_fixture_disabled():
                print("\n" + text, flush=True)
        else:
            print(text)

    return cases, _print_case_counts
