"""The approval engine: pure domain logic. No HTTP, no SQL, no wall-clock time."""
