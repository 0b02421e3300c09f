"""Pure rules: no Flask, no database. Inputs include ``now`` and a rules dataclass."""
