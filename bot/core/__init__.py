"""The core: command declarations, argument parsers, the App and its services. Knows no
capability and no transport; capabilities register with the App in their `setup(app)`."""
