-- Tote pools as streaming SQL (docs/pools-sql.md).
--
-- Reads what the sequencer writes (keyed by race id, Avro values whose schemas the
-- sequencer registers as <topic>-value, so the streams need no column lists; register
-- them before running this file, see docs/pools-sql.md):
--   tote_bets, tote_bets_cancelled, tote_bets_refunded, tote_pools_defined, tote_race_events
-- and keeps, live:
--   tote_pool_totals   stake per (race, pool, combination)   key: <pool_id>/<combination>
--   tote_pool_gross    gross per (race, pool)                 key: pool_id
--   tote_approximates  will-pays per (race, pool, combination) key: <pool_id>/<combination>
--                      (none for a void pool: its rows say VOIDED, with no price)
--   tote_dividends     DividendDeclared, once per winning combination when the result is in
--                      (none for a void race, nor for a pool voided for too few starters)
--
-- Money is integer cents, or exact cents text ('100/3') where a flexi box splits a stake;
-- never DOUBLE. Rules (takeout, breakage, minimum dividend, split, places, unbacked
-- policy) come from each pool's definition, not from this file. The TOTE_ functions wrap
-- tote's settlement calculator (DESCRIBE FUNCTION TOTE_DIVIDENDS). Run it with
-- `auto.offset.reset = earliest`, as below, so every event already on the log counts.

SET 'auto.offset.reset' = 'earliest';

-- ---------------------------------------------------------------------------------------
-- 1. The sequencer's events
-- ---------------------------------------------------------------------------------------

CREATE STREAM tote_bets WITH (kafka_topic='tote_bets', value_format='AVRO');
CREATE STREAM tote_bets_cancelled WITH (kafka_topic='tote_bets_cancelled', value_format='AVRO');
CREATE STREAM tote_bets_refunded WITH (kafka_topic='tote_bets_refunded', value_format='AVRO');
CREATE STREAM tote_pools_defined WITH (kafka_topic='tote_pools_defined', value_format='AVRO');
CREATE STREAM tote_race_events WITH (kafka_topic='tote_race_events', value_format='AVRO');

-- Each pool's rules, as the sequencer defined them when the race opened.
CREATE TABLE tote_pool_rules WITH (kafka_topic='tote_pool_rules', value_format='AVRO') AS
    SELECT pool_id,
           LATEST_BY_OFFSET(race_id) AS race_id,
           LATEST_BY_OFFSET(pool) AS pool,
           LATEST_BY_OFFSET(takeout_bp) AS takeout_bp,
           LATEST_BY_OFFSET(unit_cents) AS unit_cents,
           LATEST_BY_OFFSET(breakage_step_cents) AS breakage_step_cents,
           LATEST_BY_OFFSET(min_dividend_cents, false) AS min_dividend_cents,
           LATEST_BY_OFFSET(split) AS split,
           LATEST_BY_OFFSET(places) AS places,
           LATEST_BY_OFFSET(unbacked) AS unbacked,
           LATEST_BY_OFFSET(part_backed, false) AS part_backed
    FROM tote_pools_defined
    GROUP BY pool_id
    EMIT CHANGES;

-- The pools of each race, and where each race stands (a second RESULT, or a RESULT after
-- VOIDED, is ignored: dividends are declared once, never for a void race; a pool voided
-- alone leaves its race's status as it was).
CREATE TABLE tote_race_pools WITH (kafka_topic='tote_race_pools', value_format='AVRO') AS
    SELECT race_id, COLLECT_SET(pool_id) AS pool_ids
    FROM tote_pools_defined
    GROUP BY race_id
    EMIT CHANGES;

CREATE TABLE tote_race_status WITH (kafka_topic='tote_race_status', value_format='AVRO') AS
    SELECT race_id,
           LATEST_BY_OFFSET(kind) AS status,
           SUM(CASE WHEN kind = 'RESULT' THEN 1 ELSE 0 END) AS results,
           SUM(CASE WHEN kind = 'VOIDED' THEN 1 ELSE 0 END) AS voids
    FROM tote_race_events
    WHERE kind <> 'POOL_VOIDED'
    GROUP BY race_id
    EMIT CHANGES;

-- Pools a scratching left with fewer starters than their rule needs (POOL_VOIDED): the
-- sequencer refunded every ticket of them, and they declare no dividend.
CREATE TABLE tote_voided_pools WITH (kafka_topic='tote_voided_pools', value_format='AVRO') AS
    SELECT pool_id,
           LATEST_BY_OFFSET(race_id) AS race_id,
           LATEST_BY_OFFSET(pool) AS pool,
           LATEST_BY_OFFSET(reason) AS reason,
           LATEST_BY_OFFSET(detail) AS detail,
           COUNT(*) AS voids
    FROM tote_race_events
    WHERE kind = 'POOL_VOIDED'
    GROUP BY pool_id
    EMIT CHANGES;

-- One row per race event and pool of the race (closing, result and void, pool by pool).
CREATE STREAM tote_race_pool_events WITH (kafka_topic='tote_race_pool_events',
                                          value_format='AVRO') AS
    SELECT e.race_id AS race_id,
           e.kind AS kind,
           e.result AS result,
           s.results AS results,
           s.voids AS voids,
           EXPLODE(p.pool_ids) AS pool_id
    FROM tote_race_events e
    JOIN tote_race_pools p ON e.race_id = p.race_id
    JOIN tote_race_status s ON e.race_id = s.race_id
    WHERE e.kind IN ('CLOSED', 'RESULT', 'VOIDED')
    EMIT CHANGES;

-- ---------------------------------------------------------------------------------------
-- 2. Stakes: every accepted ticket in, every cancellation and refund out
-- ---------------------------------------------------------------------------------------

-- Every stake move per combination, as exact cents text, read once per bet: a bet
-- spreads its stake evenly over its combinations (flexi). TICKET_CENTS, the whole
-- ticket's move in cents, is on the first row of each ticket only (the gross needs one
-- row per ticket); the close of betting adds a row per pool with no combination.
CREATE STREAM tote_combination_moves (race_id STRING KEY, pool STRING, pool_id STRING,
                                      kind STRING, combination STRING, stake_cents STRING,
                                      ticket_cents BIGINT, occurred_at BIGINT)
    WITH (kafka_topic='tote_combination_moves', partitions=4, value_format='AVRO');

INSERT INTO tote_combination_moves
    SELECT race_id, pool, pool_id, 'BET' AS kind,
           EXPLODE(combinations) AS combination,
           TOTE_SHARE(stake_cents, ARRAY_LENGTH(combinations)) AS stake_cents,
           EXPLODE(ARRAY[stake_cents]) AS ticket_cents,
           placed_at AS occurred_at
    FROM tote_bets
    PARTITION BY race_id
    EMIT CHANGES;

-- Box tickets, cancellations and refunds, with their combinations: a refunded box keeps
-- the rest of its stake spread evenly over the combinations it has left (tote.pools).
CREATE STREAM tote_ticket_events (race_id STRING KEY, pool STRING, pool_id STRING,
                                  bet_id STRING, kind STRING, combinations ARRAY<STRING>,
                                  stake_cents BIGINT, occurred_at BIGINT)
    WITH (kafka_topic='tote_ticket_events', partitions=4, value_format='AVRO');

INSERT INTO tote_ticket_events
    SELECT race_id, pool, pool_id, bet_id, 'BET' AS kind, combinations, stake_cents,
           placed_at AS occurred_at
    FROM tote_bets
    WHERE ARRAY_LENGTH(combinations) > 1
    PARTITION BY race_id EMIT CHANGES;

INSERT INTO tote_ticket_events
    SELECT race_id, pool, pool_id, bet_id, 'CANCEL' AS kind, combinations, stake_cents,
           occurred_at
    FROM tote_bets_cancelled PARTITION BY race_id EMIT CHANGES;

INSERT INTO tote_ticket_events
    SELECT race_id, pool, pool_id, bet_id, 'REFUND' AS kind, combinations, stake_cents,
           occurred_at
    FROM tote_bets_refunded PARTITION BY race_id EMIT CHANGES;

-- What stands of each of those tickets, before and after its latest change, and that
-- change.
CREATE TABLE tote_tickets WITH (kafka_topic='tote_tickets', value_format='AVRO') AS
    SELECT bet_id,
           LATEST_BY_OFFSET(race_id) AS race_id,
           LATEST_BY_OFFSET(pool) AS pool,
           LATEST_BY_OFFSET(pool_id) AS pool_id,
           LATEST_BY_OFFSET(kind) AS last_kind,
           LATEST_BY_OFFSET(stake_cents) AS last_cents,
           LATEST_BY_OFFSET(occurred_at) AS occurred_at,
           TOTE_TICKET(kind, combinations, stake_cents) AS standing
    FROM tote_ticket_events
    GROUP BY bet_id
    EMIT CHANGES;

CREATE STREAM tote_ticket_standing_changes (bet_id STRING KEY)
    WITH (kafka_topic='tote_tickets', value_format='AVRO');

-- A cancellation or refund moves each combination of its ticket by the exact difference,
-- and the ticket's cents out (on the first row; alone when no combination moves).
CREATE STREAM tote_ticket_changes WITH (kafka_topic='tote_ticket_changes',
                                        value_format='AVRO') AS
    SELECT race_id, pool, pool_id, last_kind AS kind, occurred_at,
           EXPLODE(TOTE_RESPREAD(standing->before_combinations, standing->before_cents,
                                 standing->combinations, standing->cents)) AS change,
           EXPLODE(ARRAY[-last_cents]) AS ticket_cents
    FROM tote_ticket_standing_changes
    WHERE last_kind <> 'BET'
    PARTITION BY race_id
    EMIT CHANGES;

INSERT INTO tote_combination_moves
    SELECT race_id, pool, pool_id, kind, change->combination AS combination,
           change->cents AS stake_cents, ticket_cents, occurred_at
    FROM tote_ticket_changes
    EMIT CHANGES;

-- The close of betting and the void of the race, once per pool, and the void of a pool
-- alone (POOL_VOIDED): the gross and the board know betting is over, or the pool is void.
INSERT INTO tote_combination_moves
    SELECT e.race_id AS race_id, r.pool AS pool, e.pool_id AS pool_id, e.kind AS kind,
           CAST(NULL AS STRING) AS combination, CAST(NULL AS STRING) AS stake_cents,
           CAST(0 AS BIGINT) AS ticket_cents, e.ROWTIME AS occurred_at
    FROM tote_race_pool_events e
    JOIN tote_pool_rules r ON e.pool_id = r.pool_id
    WHERE e.kind IN ('CLOSED', 'VOIDED')
    PARTITION BY e.race_id
    EMIT CHANGES;

INSERT INTO tote_combination_moves
    SELECT race_id, pool, pool_id, 'VOIDED' AS kind,
           CAST(NULL AS STRING) AS combination, CAST(NULL AS STRING) AS stake_cents,
           CAST(0 AS BIGINT) AS ticket_cents, ROWTIME AS occurred_at
    FROM tote_race_events
    WHERE kind = 'POOL_VOIDED'
    PARTITION BY race_id
    EMIT CHANGES;

-- Gross per pool: accepted - cancelled - refunded (spec §3.1), in cents; tickets
-- accepted; CLOSES > 0 once betting closed; VOIDS > 0 once the pool is void (its race,
-- or it alone: every ticket is refunded).
CREATE TABLE tote_pool_gross WITH (kafka_topic='tote_pool_gross', value_format='AVRO') AS
    SELECT pool_id,
           LATEST_BY_OFFSET(race_id) AS race_id,
           LATEST_BY_OFFSET(pool) AS pool,
           SUM(ticket_cents) AS gross_cents,
           SUM(CASE WHEN kind = 'BET' THEN 1 ELSE 0 END) AS tickets,
           SUM(CASE WHEN kind = 'CLOSED' THEN 1 ELSE 0 END) AS closes,
           SUM(CASE WHEN kind = 'VOIDED' THEN 1 ELSE 0 END) AS voids,
           LATEST_BY_OFFSET(kind) AS last_kind,
           LATEST_BY_OFFSET(occurred_at, 2) AS recent_at
    FROM tote_combination_moves
    WHERE ticket_cents IS NOT NULL
    GROUP BY pool_id
    EMIT CHANGES;

-- Pool totals per (race, pool, combination): exact, and in micro-cents for people.
CREATE TABLE tote_pool_totals WITH (kafka_topic='tote_pool_totals', value_format='AVRO') AS
    SELECT pool_id + '/' + combination AS combination_id,
           LATEST_BY_OFFSET(race_id) AS race_id,
           LATEST_BY_OFFSET(pool) AS pool,
           LATEST_BY_OFFSET(pool_id) AS pool_id,
           LATEST_BY_OFFSET(combination) AS combination,
           TOTE_SUM_CENTS(stake_cents) AS stake_cents_exact,
           TOTE_MICROS(TOTE_SUM_CENTS(stake_cents)) AS stake_micros
    FROM tote_combination_moves
    WHERE combination IS NOT NULL
    GROUP BY pool_id + '/' + combination
    EMIT CHANGES;

-- ---------------------------------------------------------------------------------------
-- 3. Approximates (will-pays), spec §6
-- ---------------------------------------------------------------------------------------

-- The board moves on "ticks": the first bet of each period of event time re-prices the
-- pool's whole board (periods per pool type below: re-pricing thousands of combinations
-- on every bet would cost more than it shows); so do every cancellation and refund, the
-- close of betting, for a final board, and the void of the pool. Between ticks a
-- combination's row still follows its own stake. Change the periods (ms) in the CASE below.
CREATE STREAM tote_board_ticks (pool_id STRING KEY, gross_cents BIGINT, closed BOOLEAN,
                                voided BOOLEAN)
    WITH (kafka_topic='tote_board_ticks', partitions=4, value_format='AVRO');

CREATE STREAM tote_pool_gross_changes (pool_id STRING KEY)
    WITH (kafka_topic='tote_pool_gross', value_format='AVRO');

INSERT INTO tote_board_ticks
    SELECT pool_id, gross_cents, closes > 0 AS closed, voids > 0 AS voided
    FROM tote_pool_gross_changes
    WHERE last_kind <> 'BET'
       OR ARRAY_LENGTH(recent_at) < 2
       OR recent_at[1] / (CASE WHEN pool = 'FIRST4' THEN 10000
                               WHEN pool = 'TRIFECTA' THEN 5000
                               WHEN pool IN ('EXACTA', 'QUINELLA') THEN 2000
                               ELSE 1000 END)
          <> recent_at[2] / (CASE WHEN pool = 'FIRST4' THEN 10000
                                  WHEN pool = 'TRIFECTA' THEN 5000
                                  WHEN pool IN ('EXACTA', 'QUINELLA') THEN 2000
                                  ELSE 1000 END)
    EMIT CHANGES;

CREATE TABLE tote_board_gross WITH (kafka_topic='tote_board_gross', value_format='AVRO') AS
    SELECT pool_id,
           LATEST_BY_OFFSET(gross_cents) AS gross_cents,
           LATEST_BY_OFFSET(closed) AS closed,
           LATEST_BY_OFFSET(voided) AS voided
    FROM tote_board_ticks
    GROUP BY pool_id
    EMIT CHANGES;

-- Each pool's net as the board shows it, with the rules that price it.
CREATE TABLE tote_pool_board WITH (kafka_topic='tote_pool_board', value_format='AVRO') AS
    SELECT r.pool_id AS pool_id, r.race_id AS race_id, r.pool AS pool,
           b.gross_cents AS gross_cents,
           TOTE_NET(b.gross_cents, r.takeout_bp) AS net_cents,
           r.unit_cents AS unit_cents,
           r.breakage_step_cents AS breakage_step_cents,
           b.closed AS closed,
           b.voided AS voided
    FROM tote_board_gross b
    JOIN tote_pool_rules r ON b.pool_id = r.pool_id
    EMIT CHANGES;

-- Will-pay per unit on each combination: net * unit / stake on it, broken to the step.
-- PLACE and SHOW have none (their price depends on which runners place together), nor
-- has a void pool (every ticket is refunded): its rows say VOIDED instead, so a sink
-- that upserts them overwrites the last price (a deleted row would not reach it).
CREATE TABLE tote_approximates WITH (kafka_topic='tote_approximates', value_format='AVRO') AS
    SELECT t.combination_id AS combination_id,
           t.race_id AS race_id, t.pool AS pool, t.pool_id AS pool_id,
           t.combination AS combination,
           t.stake_micros AS stake_micros,
           b.gross_cents AS gross_cents,
           b.net_cents AS net_cents,
           CASE WHEN b.voided OR t.pool IN ('PLACE', 'SHOW') THEN CAST(NULL AS BIGINT)
                ELSE TOTE_APPROXIMATE(b.net_cents, t.stake_cents_exact, b.unit_cents,
                                      b.breakage_step_cents) END AS approximate_cents,
           CASE WHEN b.voided OR t.pool IN ('PLACE', 'SHOW') THEN CAST(NULL AS STRING)
                ELSE TOTE_ODDS(TOTE_APPROXIMATE(b.net_cents, t.stake_cents_exact,
                                                b.unit_cents, b.breakage_step_cents),
                               b.unit_cents) END AS odds,
           b.closed AS closed,
           b.voided AS voided
    FROM tote_pool_totals t
    JOIN tote_pool_board b ON t.pool_id = b.pool_id
    EMIT CHANGES;

-- ---------------------------------------------------------------------------------------
-- 4. Dividends on the result, spec §3, §4
-- ---------------------------------------------------------------------------------------

-- Per pool not voided, the combinations its settlement needs: the winners (every
-- dead-heat combination), and under NEXT_FINISHER the next finishers too. The gross is the board's
-- final one: the close re-priced the board, and so does every refund after it (the
-- sequencer declares a result on a closed race only).
CREATE STREAM tote_result_candidates WITH (kafka_topic='tote_result_candidates',
                                           value_format='AVRO') AS
    SELECT e.pool_id AS pool_id, e.race_id AS race_id, r.pool AS pool,
           r.takeout_bp AS takeout_bp, r.unit_cents AS unit_cents,
           r.breakage_step_cents AS breakage_step_cents,
           r.min_dividend_cents AS min_dividend_cents, r.split AS split,
           r.places AS places, r.unbacked AS unbacked, r.part_backed AS part_backed,
           COALESCE(g.gross_cents, CAST(0 AS BIGINT)) AS gross_cents,
           e.result AS result,
           EXPLODE(TOTE_PRICED_COMBINATIONS(r.pool, e.result, r.places, r.unbacked))
               AS combination,
           ARRAY_LENGTH(TOTE_PRICED_COMBINATIONS(r.pool, e.result, r.places, r.unbacked))
               AS candidates
    FROM tote_race_pool_events e
    JOIN tote_pool_rules r ON e.pool_id = r.pool_id
    LEFT JOIN tote_board_gross g ON e.pool_id = g.pool_id
    LEFT JOIN tote_voided_pools v ON e.pool_id = v.pool_id
    WHERE e.kind = 'RESULT' AND e.results = 1 AND e.voids = 0 AND v.voids IS NULL
    EMIT CHANGES;

-- ... each with the stake on it (nothing: unbacked) ...
CREATE STREAM tote_result_stakes WITH (kafka_topic='tote_result_stakes',
                                       value_format='AVRO') AS
    SELECT c.pool_id AS pool_id, c.race_id AS race_id, c.pool AS pool,
           c.takeout_bp AS takeout_bp, c.unit_cents AS unit_cents,
           c.breakage_step_cents AS breakage_step_cents,
           c.min_dividend_cents AS min_dividend_cents, c.split AS split,
           c.places AS places, c.unbacked AS unbacked, c.part_backed AS part_backed,
           c.gross_cents AS gross_cents,
           c.result AS result, c.candidates AS candidates, c.combination AS combination,
           COALESCE(t.stake_cents_exact, '0') AS stake_cents
    FROM tote_result_candidates c
    LEFT JOIN tote_pool_totals t ON c.pool_id + '/' + c.combination = t.combination_id
    PARTITION BY c.pool_id
    EMIT CHANGES;

-- ... gathered per pool: when all of them are in (collected = candidates), the pool is
-- settled once, by one call (no dividend is ever declared from part of the winners).
CREATE TABLE tote_result_sets WITH (kafka_topic='tote_result_sets', value_format='AVRO') AS
    SELECT pool_id,
           LATEST_BY_OFFSET(race_id) AS race_id,
           LATEST_BY_OFFSET(pool) AS pool,
           LATEST_BY_OFFSET(takeout_bp) AS takeout_bp,
           LATEST_BY_OFFSET(unit_cents) AS unit_cents,
           LATEST_BY_OFFSET(breakage_step_cents) AS breakage_step_cents,
           LATEST_BY_OFFSET(min_dividend_cents, false) AS min_dividend_cents,
           LATEST_BY_OFFSET(split) AS split,
           LATEST_BY_OFFSET(places) AS places,
           LATEST_BY_OFFSET(unbacked) AS unbacked,
           LATEST_BY_OFFSET(part_backed, false) AS part_backed,
           LATEST_BY_OFFSET(gross_cents) AS gross_cents,
           LATEST_BY_OFFSET(result) AS result,
           LATEST_BY_OFFSET(candidates) AS candidates,
           COUNT(*) AS collected,
           COLLECT_LIST(combination) AS combinations,
           COLLECT_LIST(stake_cents) AS stakes
    FROM tote_result_stakes
    GROUP BY pool_id
    EMIT CHANGES;

CREATE STREAM tote_result_set_changes (pool_id STRING KEY)
    WITH (kafka_topic='tote_result_sets', value_format='AVRO');

CREATE STREAM tote_dividend_rows WITH (kafka_topic='tote_dividend_rows',
                                       value_format='AVRO') AS
    SELECT pool_id, race_id, pool,
           EXPLODE(TOTE_DIVIDENDS(pool, takeout_bp, unit_cents, breakage_step_cents,
                                  min_dividend_cents, split, places, unbacked, gross_cents,
                                  result, combinations, stakes, part_backed)) AS dividend
    FROM tote_result_set_changes
    WHERE collected = candidates
    EMIT CHANGES;

-- DividendDeclared: one row per winning combination, keyed by race. A carried or refunded
-- pool (nobody on the winners) gets rows with a NULL dividend and its outcome.
CREATE STREAM tote_dividends WITH (kafka_topic='tote_dividends', partitions=4,
                                   value_format='AVRO') AS
    SELECT race_id AS race_key,
           AS_VALUE(race_id) AS race_id,
           pool,
           pool_id,
           dividend->combination AS combination,
           dividend->per_unit_cents AS per_unit_cents,
           dividend->winning_units AS winning_units,
           dividend->outcome AS outcome,
           dividend->gross_cents AS gross_cents,
           dividend->takeout_cents AS takeout_cents,
           dividend->net_cents AS net_cents,
           dividend->breakage_cents AS breakage_cents,
           dividend->minus_pool_cents AS minus_pool_cents,
           dividend->carry_out_cents AS carry_out_cents,
           dividend->refund_cents AS refund_cents
    FROM tote_dividend_rows
    PARTITION BY race_id
    EMIT CHANGES;
