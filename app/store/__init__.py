"""Everything kept in the browser: conversations, settings and secrets, leases of running turns, export and
import, each over the key-value port of `kv.py`."""
