"""Domain operations on storage, one module per lifecycle stage (no request, no templates)."""
