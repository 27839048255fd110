"""Pure statistics: arrays and DataFrames in, frozen dataclasses out. Imports no project code."""
