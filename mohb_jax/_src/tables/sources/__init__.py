"""One module per data source; the registry table is :mod:`.catalog`."""
