"""hebblab's headless command line: never imports textual (docs/architecture.md)."""
