"""The Glue job's library: record-schema rules, the pure transform, lake I/O and catalog updates."""
