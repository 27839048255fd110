"""The `loyalty` command line and the workspace: thin glue over surveys/, measure/ and reports/."""
