"""Benchmarks: hebblab's workloads timed, and side by side with Brian2 (`python -m benchmarks`)."""
