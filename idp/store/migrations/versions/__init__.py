"""The revisions, oldest first: 0001 is b0fa761's schema."""
