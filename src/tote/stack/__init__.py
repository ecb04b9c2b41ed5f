"""The stack: `tote up` runs every service of DESIGN §2 as supervised processes sharing one log.

`services` is the static service table (add a service there), `plan` resolves ports and
the host alias table, `supervisor` starts/restarts/stops, `state` is the file other shells
read, `control` backs `tote down` / `status` / `prune`, `postgres` wires the embedded
PostgreSQL in, `lag` reads each query's and connector's lag from the log, `endpoints`
tells `tote build` / `play` / `demo` where a running stack answers, and `odds` reads the
seed's odds table back for `tote demo`.
"""
