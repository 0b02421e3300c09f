"""``mock-ohid demo``: small portals for the Optum sites, each a real relying party."""
