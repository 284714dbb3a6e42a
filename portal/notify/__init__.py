"""Mail: subscriptions, the outbox, notice fan-out and delivery."""
