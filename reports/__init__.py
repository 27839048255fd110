"""One wave's results assembled into a report context, charts, HTML and PDF."""
