"""The stack: `tote up` runs every service of DESIGN §2 as supervised processes sharing one log.

`services` is the static service table (add a service there), `plan` resolves ports and
the host alias table, `supervisor` starts/restarts/stops, `state` is the file other shells
read, `control` backs `tote down` / `status` / `prune`, `postgres` wires the embedded
PostgreSQL in.
"""
