"""The correspondents' pages: the public directory, corrections, inventory and coordination views."""
