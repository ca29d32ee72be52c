"""Response tracking: provider webhooks, inbound replies and bounces, and what they do to a sequence."""
