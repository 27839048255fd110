"""Importers: one module per source format, each reading a file into an ExportTable (export_table.py)."""
