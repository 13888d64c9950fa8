-- FSRS-6 review, the PL/pgSQL twin of client/fsrs (py-fsrs 6.3.2, fuzzing off). It is ported
-- from client/fsrs line by line: the same formulas with the same operand order (so results
-- agree to the last bit or two), the same state machine, the same checks. A change here is a
-- change there; both must reproduce shared/testdata/fsrs/vectors.json.
--
-- Weights are w0…w20 in the papers and in Go; Postgres arrays are 1-based, so wN is w[N + 1].
-- Step waits are computed in whole microseconds (steps are whole seconds, so (s0 + s1) / 2 and
-- s0 · 1.5 are exact) and days are added as 86,400 s each, never as calendar days, so the
-- session's TimeZone cannot move a due time across a DST change.
--
-- Times are bounded as client/store/limits.go bounds them (MinTime, MaxTime: years 0001 to
-- 9999, all RFC 3339 and JSON can write): a review time outside them, or one whose next review
-- would fall after them, is refused (VS006), so that every stored time can be exported.
--
-- reviewed_at NULL (the default) means "now", read with clock_timestamp() once the card is
-- locked: now() is the transaction's start, and a review that waited for the lock behind
-- another would be dated before the review it waited for (VS007) although no time was given.
CREATE FUNCTION vestige_review(memory_id uuid, rating integer, reviewed_at timestamptz DEFAULT NULL)
RETURNS TABLE (id uuid, state smallint, step integer, stability double precision,
    difficulty double precision, retrievability double precision, last_review timestamptz,
    next_review timestamptz, reps integer, lapses integer)
LANGUAGE plpgsql VOLATILE
-- float8 → jsonb goes through float8out, which honours extra_float_digits: pin the shortest
-- exact form so that the JSON states never depend on the caller's session.
SET extra_float_digits = 3
AS $$
#variable_conflict use_column
DECLARE
    mid         constant uuid := vestige_review.memory_id;
    g           constant integer := vestige_review.rating;       -- the grade, 1..4
    now_at      timestamptz := vestige_review.reviewed_at;  -- set once locked when NULL
    min_time    constant timestamptz := '0001-01-01 00:00:00.000001+00'; -- store.MinTime
    max_time    constant timestamptz := '9999-12-31 23:59:59.999999+00'; -- store.MaxTime
    max_ivl     constant integer := 36500;                               -- store.MaxIntervalDays
    us_per_day  constant bigint := 86400000000;
    s_min       constant double precision := 0.001;              -- STABILITY_MIN
    lower_w     constant double precision[] := '{0.001, 0.001, 0.001, 0.001, 1.0, 0.001, 0.001, 0.001, 0.0, 0.0, 0.001, 0.001, 0.001, 0.001, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.1}';
    upper_w     constant double precision[] := '{100, 100, 100, 100, 10.0, 4.0, 4.0, 0.75, 4.5, 0.8, 3.5, 5.0, 0.25, 0.9, 4.0, 1.0, 6.0, 2.0, 2.0, 0.8, 0.8}';

    p           fsrs_parameters%ROWTYPE;
    w           double precision[];
    decay       double precision;
    factor      double precision;
    problems    text[] := '{}';

    cur         scheduling%ROWTYPE;
    is_new      boolean;
    prior       jsonb;

    elapsed_us  bigint;
    elapsed     integer;            -- whole elapsed days
    r_before    double precision;   -- R just before this review (whole days; 1 for a new card)

    n_state     smallint;
    n_step      integer;
    n_s         double precision;
    n_d         double precision;
    n_reps      integer;
    n_lapses    integer;
    n_due       timestamptz;

    steps       integer[];
    n_steps     integer;
    in_days     boolean := false;   -- graduates to (or stays in) Review: scheduled in whole days
    wait_us     bigint;
    days        double precision;

    -- formula temporaries
    x           double precision;
    target      double precision;
    delta       double precision;
    current_d   double precision;
    hard_pen    double precision;
    easy_bonus  double precision;
    long_term   double precision;
    short_term  double precision;
    next_json   jsonb;
BEGIN
    -- Arguments.
    IF mid IS NULL THEN
        RAISE EXCEPTION 'vestige_review: memory_id must not be NULL' USING ERRCODE = 'VS006';
    END IF;
    IF g IS NULL OR g < 1 OR g > 4 THEN
        RAISE EXCEPTION 'vestige_review: invalid rating % (want 1 again, 2 hard, 3 good or 4 easy)',
            coalesce(g::text, 'NULL') USING ERRCODE = 'VS006';
    END IF;
    -- The message starts with the argument's name: the Go client reads it as the field.
    IF now_at IS NOT NULL AND NOT (now_at >= min_time AND now_at <= max_time) THEN
        RAISE EXCEPTION 'reviewed_at % is outside the stored range 0001-01-01 to 9999-12-31', now_at USING ERRCODE = 'VS006';
    END IF;

    -- Parameters (fsrs.Parameters.Validate: py-fsrs' weight bounds, retention in (0, 1),
    -- positive steps, a maximum interval of at least a day; the table enforces the last three).
    SELECT * INTO p FROM fsrs_parameters fp WHERE fp.id = 1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'vestige_review: fsrs_parameters has no row (restore it with INSERT INTO fsrs_parameters DEFAULT VALUES)'
            USING ERRCODE = 'VS006';
    END IF;
    w := p.weights;
    FOR i IN 1 .. 21 LOOP
        IF NOT (w[i] >= lower_w[i] AND w[i] <= upper_w[i]) THEN
            problems := problems || format('weights[%s] = %s is outside [%s, %s]', i - 1, w[i], lower_w[i], upper_w[i]);
        END IF;
    END LOOP;
    IF NOT (p.desired_retention > 0 AND p.desired_retention < 1) THEN
        problems := problems || format('desired retention %s is outside (0, 1)', p.desired_retention);
    END IF;
    IF p.maximum_interval_days IS NULL OR p.maximum_interval_days < 1 THEN
        problems := problems || format('maximum interval %s is below 1 day', p.maximum_interval_days);
    ELSIF p.maximum_interval_days > max_ivl THEN
        problems := problems || format('maximum interval %s days is above the %s allowed', p.maximum_interval_days, max_ivl);
    END IF;
    IF cardinality(problems) > 0 THEN
        RAISE EXCEPTION 'vestige_review: invalid fsrs_parameters: %', array_to_string(problems, '; ')
            USING ERRCODE = 'VS006';
    END IF;
    decay := -w[21];                                  -- DECAY = −w20
    factor := power(0.9::float8, 1 / decay) - 1;      -- FACTOR = 0.9^(1/DECAY) − 1

    -- Lock the card through its memory row, always, and only then read the scheduling row.
    -- FOR UPDATE (not NO KEY UPDATE) also conflicts with the KEY SHARE lock that inserting a
    -- row referencing the memory takes, so nobody can create the scheduling row (a concurrent
    -- first review, a raw upsert) between this read and this review's write. The read is a
    -- statement of its own, so under READ COMMITTED it sees whatever committed while we waited.
    PERFORM 1 FROM memories m WHERE m.id = mid FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'memory % not found', mid USING ERRCODE = 'VS005';
    END IF;
    SELECT * INTO cur FROM scheduling s WHERE s.memory_id = mid FOR UPDATE;
    is_new := NOT FOUND;
    -- No time given: the review happens now, while it holds the lock.
    now_at := coalesce(now_at, clock_timestamp());

    IF is_new THEN
        -- Initial: S0(G) = w[G−1], D0(G) = clamp(w4 − exp(w5·(G−1)) + 1).
        prior := '{}';
        n_state := 1;
        n_step := 0;
        n_s := greatest(w[g], s_min);
        n_d := least(greatest(w[5] - exp(w[6] * (g - 1)) + 1, 1.0::float8), 10.0::float8);
        n_reps := 0;
        n_lapses := 0;
        r_before := 1;      -- a new card counts as R = 1 (py-fsrs would say 0)
    ELSE
        -- Card.check: refuse a row no review could have produced.
        IF cur.state IS NULL OR cur.state NOT IN (1, 2, 3) THEN
            problems := problems || format('state %s', cur.state);
        ELSIF cur.state = 2 AND cur.step IS NOT NULL THEN
            problems := problems || format('step %s in the review state', cur.step);
        ELSIF cur.state <> 2 AND cur.step IS NULL THEN
            problems := problems || format('no step in the %s state', CASE cur.state WHEN 1 THEN 'learning' ELSE 'relearning' END);
        END IF;
        IF cur.step < 0 THEN
            problems := problems || format('negative step %s', cur.step);
        END IF;
        IF cur.last_review IS NULL THEN
            problems := problems || 'no last review (a new card has no scheduling row)'::text;
        END IF;
        IF NOT (cur.stability > 0) OR cur.stability IN ('Infinity'::float8, 'NaN'::float8) THEN
            problems := problems || format('stability %s', cur.stability);
        END IF;
        IF NOT (cur.difficulty >= 1 AND cur.difficulty <= 10) THEN
            problems := problems || format('difficulty %s outside [1, 10]', cur.difficulty);
        END IF;
        IF cur.reps < 0 OR cur.lapses < 0 THEN
            problems := problems || 'negative reps or lapses'::text;
        END IF;
        IF cardinality(problems) > 0 THEN
            RAISE EXCEPTION 'vestige_review: the scheduling row of memory % is not one a review could have produced: %',
                mid, array_to_string(problems, '; ') USING ERRCODE = 'VS006';
        END IF;
        IF now_at < cur.last_review THEN
            RAISE EXCEPTION 'review at % is before the last review of memory % at %', now_at, mid, cur.last_review
                USING ERRCODE = 'VS007';
        END IF;

        prior := jsonb_build_object(
            'state', cur.state, 'step', cur.step, 'stability', cur.stability,
            'difficulty', cur.difficulty, 'retrievability', cur.retrievability,
            'last_review', to_char(cur.last_review AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
            'next_review', to_char(cur.next_review AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
            'reps', cur.reps, 'lapses', cur.lapses);

        n_state := cur.state;
        n_step := cur.step;
        n_reps := cur.reps;
        n_lapses := cur.lapses;

        -- Whole 24-hour periods, rounded down (timestamptz is microseconds since 2000-01-01;
        -- the difference is exact in numeric and non-negative here).
        elapsed_us := ((extract(epoch FROM now_at) - extract(epoch FROM cur.last_review)) * 1000000)::bigint;
        elapsed := (elapsed_us / us_per_day)::integer;
        -- R(t, S) = (1 + FACTOR·t/S)^DECAY with whole days t.
        r_before := power(1 + factor * elapsed / cur.stability, decay);

        IF elapsed < 1 THEN
            -- Short-term: S' = S · SInc, SInc = exp(w17·(G − 3 + w18)) · S^−w19, floored at 1
            -- for Hard, Good and Easy (the Hard floor of py-fsrs 6.3.2).
            x := exp(w[18] * (g - 3 + w[19])) * power(cur.stability, -w[20]);
            IF g >= 2 THEN
                x := greatest(x, 1.0::float8);
            END IF;
            n_s := greatest(cur.stability * x, s_min);
        ELSIF g = 1 THEN
            -- Forget: min(w11 · D^−w12 · ((S + 1)^w13 − 1) · exp((1 − R)·w14), S / exp(w17·w18)).
            long_term := w[12]
                * power(cur.difficulty, -w[13])
                * (power(cur.stability + 1, w[14]) - 1)
                * exp((1 - r_before) * w[15]);
            short_term := cur.stability / exp(w[18] * w[19]);
            n_s := greatest(least(long_term, short_term), s_min);
        ELSE
            -- Recall: S · (1 + exp(w8) · (11 − D) · S^−w9 · (exp((1 − R)·w10) − 1) · hard · easy).
            hard_pen := CASE WHEN g = 2 THEN w[16] ELSE 1 END;
            easy_bonus := CASE WHEN g = 4 THEN w[17] ELSE 1 END;
            n_s := greatest(cur.stability * (1
                + exp(w[9])
                * (11 - cur.difficulty)
                * power(cur.stability, -w[10])
                * (exp((1 - r_before) * w[11]) - 1)
                * hard_pen
                * easy_bonus), s_min);
        END IF;

        -- D' = clamp(w7·D0(Easy) + (1 − w7)·(D + ΔD·(10 − D)/9)), ΔD = −w6·(G − 3), from the
        -- old difficulty, D0(Easy) unclamped.
        target := w[5] - exp(w[6] * (4 - 1)) + 1;
        delta := -(w[7] * (g - 3));
        current_d := cur.difficulty + (10.0 - cur.difficulty) * delta / 9.0;
        n_d := least(greatest(w[8] * target + (1 - w[8]) * current_d, 1.0::float8), 10.0::float8);

        IF cur.state = 2 AND g = 1 THEN
            n_lapses := n_lapses + 1;
        END IF;
    END IF;
    n_reps := n_reps + 1;

    -- The (re)learning-steps state machine (fsrs.stepTransition), or Review.
    IF n_state = 2 THEN
        -- A lapse goes to the first relearning step; without relearning steps the card stays
        -- in Review and is rescheduled in days from its lowered stability.
        IF g = 1 AND cardinality(p.relearning_steps_secs) > 0 THEN
            n_state := 3;
            n_step := 0;
            wait_us := p.relearning_steps_secs[1]::bigint * 1000000;
        ELSE
            in_days := true;
        END IF;
    ELSE
        steps := CASE WHEN n_state = 1 THEN p.learning_steps_secs ELSE p.relearning_steps_secs END;
        n_steps := cardinality(steps);
        IF n_steps = 0 OR (n_step >= n_steps AND g <> 1) THEN
            in_days := true;                       -- no steps, or steps lost since: graduate
        ELSIF g = 1 THEN
            n_step := 0;
            wait_us := steps[1]::bigint * 1000000;
        ELSIF g = 2 THEN
            IF n_step = 0 AND n_steps = 1 THEN
                wait_us := steps[1]::bigint * 1000000 * 3 / 2;
            ELSIF n_step = 0 THEN
                wait_us := (steps[1]::bigint + steps[2]) * 1000000 / 2;
            ELSE
                wait_us := steps[n_step + 1]::bigint * 1000000;
            END IF;
        ELSIF g = 3 THEN
            IF n_step + 1 = n_steps THEN
                in_days := true;
            ELSE
                n_step := n_step + 1;
                wait_us := steps[n_step + 1]::bigint * 1000000;
            END IF;
        ELSE
            in_days := true;                       -- Easy graduates
        END IF;
    END IF;

    IF in_days THEN
        n_state := 2;
        n_step := NULL;
        -- NextInterval: S/FACTOR · (DR^(1/DECAY) − 1), rounded half to even (rint), clamped to
        -- [1, maximum interval] days.
        days := (n_s / factor) * (power(p.desired_retention, 1 / decay) - 1);
        days := round(days);
        days := greatest(days, 1.0::float8);
        days := least(days, p.maximum_interval_days::float8);
        n_due := now_at + (days::bigint * us_per_day) * interval '1 microsecond';
    ELSE
        n_due := now_at + wait_us * interval '1 microsecond';
    END IF;
    -- A due time past MaxTime could be stored but never exported: refuse the review instead.
    -- (now_at ≤ max_time and at most max_ivl days are added: no overflow before this check.)
    IF n_due > max_time THEN
        RAISE EXCEPTION 'reviewed_at % would schedule the next review after 9999-12-31 (at %)',
            to_char(now_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
            to_char(n_due AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') USING ERRCODE = 'VS006';
    END IF;

    IF is_new THEN
        -- Never overwrite a row this review did not read (its prior state would be a lie). The
        -- memory lock keeps out other writers under READ COMMITTED; under REPEATABLE READ a row
        -- committed after the snapshot is invisible here, and the caller must retry.
        INSERT INTO scheduling
               (memory_id, stability, difficulty, retrievability, last_review, next_review, reps, lapses, state, step)
        VALUES (mid, n_s, n_d, r_before, now_at, n_due, n_reps, n_lapses, n_state, n_step)
        ON CONFLICT (memory_id) DO NOTHING;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'vestige_review: memory % gained a scheduling row while it was reviewed as a new card; retry', mid
                USING ERRCODE = 'serialization_failure';
        END IF;
    ELSE
        UPDATE scheduling s
           SET stability = n_s, difficulty = n_d, retrievability = r_before, last_review = now_at,
               next_review = n_due, reps = n_reps, lapses = n_lapses, state = n_state, step = n_step
         WHERE s.memory_id = mid;
    END IF;

    next_json := jsonb_build_object(
        'state', n_state, 'step', n_step, 'stability', n_s, 'difficulty', n_d,
        'retrievability', r_before,
        'last_review', to_char(now_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        'next_review', to_char(n_due AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        'reps', n_reps, 'lapses', n_lapses);
    INSERT INTO review_events (memory_id, reviewed_at, rating, prior_state, new_state)
    VALUES (mid, now_at, g, prior, next_json);

    id := mid;
    state := n_state;
    step := n_step;
    stability := n_s;
    difficulty := n_d;
    retrievability := r_before;
    last_review := now_at;
    next_review := n_due;
    reps := n_reps;
    lapses := n_lapses;
    RETURN NEXT;
END;
$$;

COMMENT ON FUNCTION vestige_review(uuid, integer, timestamptz) IS
'Reviews a memory with FSRS-6 (py-fsrs 6.3.2 semantics, no fuzzing; the twin of client/fsrs) and returns its new scheduling row. rating: 1 again, 2 hard, 3 good, 4 easy; reviewed_at NULL (the default) means now, read with clock_timestamp() once the card is locked. Reads the one-row fsrs_parameters table. A memory without a scheduling row is a new card: the first review creates the row (learning, step 0). Elapsed time counts whole 24-hour periods; under one day the short-term formula runs (same-day success never lowers stability). retrievability is stored as R just before this review (whole elapsed days; 1 for a new card); reps counts reviews, lapses counts Again in the review state. Locks the memory row (FOR UPDATE, so concurrent reviews of one memory, first reviews included, serialize), writes scheduling and appends a review_events row whose prior_state and new_state are the row''s fields as JSON ({} as prior for a new card), all in this one call. Errors: VS005 unknown memory; VS006 rating outside 1..4, a NULL memory_id or rating, reviewed_at outside 0001-01-01..9999-12-31 (UTC) or one whose next review would fall after 9999-12-31, invalid fsrs_parameters (maximum_interval_days at most 36500), or a scheduling row no review could have produced; VS007 reviewed_at before the last review; 40001 when, under REPEATABLE READ or stricter, a first review meets a scheduling row committed after its snapshot.';
