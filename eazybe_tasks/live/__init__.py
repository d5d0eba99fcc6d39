"""Live mode: a sync within seconds of a webhook delivery, instead of at the next scheduled run.

It runs in a background thread of the webhook receiver, triggered by the receiver itself once a
delivery's transaction has committed, rather than in a process that polls the store for new
message ids. With several receivers sharing a PostgreSQL store, ids are handed out when a row is
inserted but become visible when its transaction commits, so a poller can see id 11 before id 10
and never look back for 10; a receiver knows exactly when its own delivery is durable, and which
business accounts it was for. Each receiver debounces its own deliveries and syncs just those
accounts; the store's per-account sync leases keep every run on an account (live, scheduled or by
hand, on any machine) one at a time. A receiver that finds a lease taken tries again shortly,
which it must: the run holding it may have started before its delivery committed. The 3-minute
schedule stays the safety net for a receiver that stops before its sync ran."""
