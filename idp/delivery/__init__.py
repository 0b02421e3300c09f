"""Delivery of emails, texts and calls: always recorded in the outbox."""
