-- vestige schema, version 2: the value rules (docs/value-rules.md) hold in the schema too.
--
-- The Go side refuses a value past a limit before it is sent; these triggers and constraints
-- refuse the same values when a row is written with plain SQL, with the same limits and the
-- same wording ("invalid <field>: <reason>", SQLSTATE VS006), so that everything a store
-- holds can be exported and imported into either backend. Existing rows that break a rule
-- make this migration fail with the row's error: fix the row, then migrate again.
--
-- The helpers are named value_rule_* (not vestige_*): the tables depend on them, so they
-- belong to the migrations, and the function installer (which replaces every vestige_*
-- function) must leave them alone.

-- Only Unicode white space (the set Go's unicode.IsSpace names).
CREATE FUNCTION value_rule_is_blank(s text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN s ~ '^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$';
COMMENT ON FUNCTION value_rule_is_blank(text) IS
    'True when s holds only Unicode white space (or nothing): blank content and labels are refused.';

-- Why a label (node type, tag, domain, edge type, domain id, top term, model name) breaks the
-- label rule, or NULL when it keeps it: 1 to 256 bytes, no control character, not blank.
CREATE FUNCTION value_rule_label_problem(s text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
    WHEN s IS NULL THEN 'is missing'
    WHEN s = '' THEN 'is empty'
    WHEN octet_length(s) > 256 THEN format('is %s bytes, more than the 256 allowed', octet_length(s))
    WHEN s ~ '[\u0001-\u001f\u007f-\u009f]' THEN format('contains the control character U+%s',
        upper(lpad(to_hex(ascii(substring(s FROM '[\u0001-\u001f\u007f-\u009f]'))), 4, '0')))
    WHEN value_rule_is_blank(s) THEN 'is blank (only white space)'
END;
COMMENT ON FUNCTION value_rule_label_problem(text) IS
    'Why a label breaks the label rule (1-256 bytes, no control character, not blank), or NULL.';

-- Raises VS006 "invalid <field>: <reason>" when reason is not NULL.
CREATE FUNCTION value_rule_refuse(field text, reason text) RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    IF reason IS NOT NULL THEN
        RAISE EXCEPTION 'invalid %: %', field, reason USING ERRCODE = 'VS006';
    END IF;
END;
$$;

CREATE FUNCTION value_rule_check_labels(field text, labels text[], max_count int) RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    i int;
BEGIN
    IF labels IS NULL THEN
        RETURN;
    END IF;
    IF array_ndims(labels) > 1 THEN
        PERFORM value_rule_refuse(field, 'must be a one-dimensional array');
    END IF;
    IF cardinality(labels) > max_count THEN
        PERFORM value_rule_refuse(field, format('has %s values, more than the %s allowed', cardinality(labels), max_count));
    END IF;
    FOR i IN 1 .. cardinality(labels) LOOP
        PERFORM value_rule_refuse(format('%s[%s]', field, i - 1), value_rule_label_problem(labels[i]));
    END LOOP;
END;
$$;

-- Why a JSON object breaks the rules of metadata, or NULL: an object, at most 65536 bytes as
-- jsonb::text prints it, nested at most 32 levels (the object itself is level 1), every
-- number zero or of magnitude in [1e-300, 1.7976931348623157e308] with a plain form of at
-- most 400 characters.
CREATE FUNCTION value_rule_json_problem(j jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    bad jsonb;
BEGIN
    IF j IS NULL THEN
        RETURN 'is missing';
    END IF;
    IF jsonb_typeof(j) <> 'object' THEN
        RETURN format('must be a JSON object, not %s', jsonb_typeof(j));
    END IF;
    IF octet_length(j::text) > 65536 THEN
        RETURN format('is %s bytes as JSON text, more than the 65536 allowed', octet_length(j::text));
    END IF;
    IF jsonb_path_exists(j, 'strict $.**{32 to last} ? (@.type() == "object" || @.type() == "array")') THEN
        RETURN 'is nested more than 32 levels deep';
    END IF;
    SELECT q.n INTO bad
    FROM jsonb_path_query(j, 'strict $.** ? (@.type() == "number")') AS q(n)
    WHERE abs(q.n::text::numeric) > 1.7976931348623157e308
       OR (q.n::text::numeric <> 0 AND abs(q.n::text::numeric) < 1e-300)
    LIMIT 1;
    IF FOUND THEN
        RETURN format('number %s is out of range: numbers are 0 or of magnitude 1e-300 to 1.7976931348623157e308',
            CASE WHEN length(bad::text) > 40 THEN left(bad::text, 20) || '...' ELSE bad::text END);
    END IF;
    SELECT q.n INTO bad
    FROM jsonb_path_query(j, 'strict $.** ? (@.type() == "number")') AS q(n)
    WHERE length(q.n::text) > 400
    LIMIT 1;
    IF FOUND THEN
        RETURN format('number %s... is too long: its plain decimal form has more than 400 characters', left(bad::text, 20));
    END IF;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION value_rule_json_problem(jsonb) IS
    'Why a JSON object breaks the metadata rules (object, 64 KiB as text, depth 32, numbers in double range), or NULL.';

CREATE FUNCTION value_rule_time_problem(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN t < '0001-01-01 00:00:00.000001+00' OR t > '9999-12-31 23:59:59.999999+00'
    THEN format('%s is outside the stored range 0001-01-01 to 9999-12-31', t AT TIME ZONE 'UTC') END;

-- Why a vector cannot be scored by cosine similarity, or NULL: a zero vector or a norm
-- outside [1e-6, 1e6] (pgvector sums squares in float32: tiny norms underflow to NaN).
CREATE FUNCTION value_rule_vector_problem(v vector) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
    WHEN v IS NULL THEN NULL
    WHEN vector_norm(v) = 0 THEN 'is the zero vector (cosine similarity is undefined)'
    WHEN vector_norm(v) < 1e-6 THEN format('has norm %s, below the 1e-06 allowed (too small to normalise)', btrim(to_char(vector_norm(v), '9.99EEEE')))
    WHEN vector_norm(v) > 1e6 THEN format('has norm %s, above the 1e+06 allowed', btrim(to_char(vector_norm(v), '9.99EEEE')))
END;
COMMENT ON FUNCTION value_rule_vector_problem(vector) IS
    'Why a vector cannot be scored by cosine (zero, or norm outside [1e-6, 1e6]), or NULL.';

-- Why a domain_scores object breaks its rules, or NULL: at most 64 entries, label keys,
-- number values.
CREATE FUNCTION value_rule_scores_problem(j jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    k text;
    v jsonb;
    n int := 0;
BEGIN
    IF jsonb_typeof(j) <> 'object' THEN
        RETURN format('must be a JSON object, not %s', jsonb_typeof(j));
    END IF;
    FOR k, v IN SELECT e.key, e.value FROM jsonb_each(j) AS e LOOP
        n := n + 1;
        IF value_rule_label_problem(k) IS NOT NULL THEN
            RETURN format('key %s %s', to_jsonb(k), value_rule_label_problem(k));
        END IF;
        IF jsonb_typeof(v) <> 'number' THEN
            RETURN format('%s is %s, not a number', to_jsonb(k), jsonb_typeof(v));
        END IF;
    END LOOP;
    IF n > 64 THEN
        RETURN format('has %s entries, more than the 64 allowed', n);
    END IF;
    RETURN value_rule_json_problem(j);
END;
$$;

-- The fast path: one expression that holds when a row keeps every rule (the common case).
-- The SQL functions below have no subqueries, so the planner inlines them and PL/pgSQL runs
-- the trigger's test as a simple expression; the rare long cases call small PL/pgSQL loops.
-- Only a row that breaks a rule pays for the checks that say which rule and why. (Measured
-- on a 20,000-row INSERT ... SELECT: 200 µs a row with the diagnosing checks alone.)

-- Every label of the array is at most 256 bytes (the case the array-wide tests leave open).
CREATE FUNCTION value_rule_labels_short(labels text[]) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    l text;
BEGIN
    FOREACH l IN ARRAY labels LOOP
        IF octet_length(l) > 256 THEN
            RETURN false;
        END IF;
    END LOOP;
    RETURN true;
END;
$$;

CREATE FUNCTION value_rule_labels_ok(labels text[], max_count int) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN labels IS NULL OR cardinality(labels) = 0 OR (
    -- (a CASE, since AND does not promise an order and array_position refuses 2-D arrays)
    CASE WHEN array_ndims(labels) > 1 THEN false ELSE cardinality(labels) <= max_count END
    AND array_position(labels, NULL) IS NULL
    AND array_to_string(labels, ' ') !~ '[\u0001-\u001f\u007f-\u009f]'
    -- joined by U+0001 (refused in labels): an empty or blank label is two separators with
    -- only white space between them
    AND (E'\u0001' || array_to_string(labels, E'\u0001') || E'\u0001')
        !~ '\u0001[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*\u0001'
    AND (octet_length(array_to_string(labels, '')) <= 256 OR value_rule_labels_short(labels)));

-- No number of j has a plain form over 400 characters.
CREATE FUNCTION value_rule_numbers_short(j jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT NOT EXISTS (SELECT FROM jsonb_path_query(j, 'strict $.** ? (@.type() == "number")') AS q(n)
                       WHERE length(q.n::text) > 400);
END;

CREATE FUNCTION value_rule_json_ok(j jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN j = '{}'::jsonb OR (jsonb_typeof(j) = 'object'
    AND octet_length(j::text) <= 65536
    AND NOT jsonb_path_exists(j, 'strict $.**{32 to last} ? (@.type() == "object" || @.type() == "array")')
    AND NOT jsonb_path_exists(j, 'strict $.** ? (@.type() == "number" && (@ > 1.7976931348623157e308 || @ < -1.7976931348623157e308 || (@ != 0 && @ < 1e-300 && @ > -1e-300)))')
    AND (octet_length(j::text) <= 400 OR value_rule_numbers_short(j)));

-- Every key of j is a label, and there are at most max_count.
CREATE FUNCTION value_rule_keys_ok(j jsonb, max_count int) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    keys jsonb := jsonb_path_query_array(j, '$.keyvalue().key');
BEGIN
    IF jsonb_array_length(keys) > max_count THEN
        RETURN false;
    END IF;
    FOR i IN 0 .. jsonb_array_length(keys) - 1 LOOP
        IF value_rule_label_problem(keys ->> i) IS NOT NULL THEN
            RETURN false;
        END IF;
    END LOOP;
    RETURN true;
END;
$$;

CREATE FUNCTION value_rule_scores_ok(j jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN j = '{}'::jsonb OR (value_rule_json_ok(j)
    AND NOT jsonb_path_exists(j, 'strict $.* ? (@.type() != "number")')
    AND value_rule_keys_ok(j, 64));

CREATE FUNCTION memories_check_values() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id <> '00000000-0000-0000-0000-000000000000'
        AND octet_length(NEW.content) <= 262144 AND NOT value_rule_is_blank(NEW.content)
        AND value_rule_label_problem(NEW.node_type) IS NULL
        AND value_rule_labels_ok(NEW.tags, 64) AND value_rule_labels_ok(NEW.domains, 64)
        AND value_rule_scores_ok(NEW.domain_scores) AND value_rule_json_ok(NEW.metadata)
        AND value_rule_time_problem(NEW.created_at) IS NULL AND value_rule_time_problem(NEW.updated_at) IS NULL
    THEN
        RETURN NEW;
    END IF;
    IF NEW.id = '00000000-0000-0000-0000-000000000000' THEN
        PERFORM value_rule_refuse('id', 'is the nil UUID');
    END IF;
    IF octet_length(NEW.content) > 262144 THEN
        PERFORM value_rule_refuse('content', format('is %s bytes, more than the 262144 allowed', octet_length(NEW.content)));
    END IF;
    IF value_rule_is_blank(NEW.content) THEN
        PERFORM value_rule_refuse('content', 'is empty (only white space)');
    END IF;
    PERFORM value_rule_refuse('node_type', value_rule_label_problem(NEW.node_type));
    PERFORM value_rule_check_labels('tags', NEW.tags, 64);
    PERFORM value_rule_check_labels('domains', NEW.domains, 64);
    PERFORM value_rule_refuse('domain_scores', value_rule_scores_problem(NEW.domain_scores));
    PERFORM value_rule_refuse('metadata', value_rule_json_problem(NEW.metadata));
    PERFORM value_rule_refuse('created_at', value_rule_time_problem(NEW.created_at));
    PERFORM value_rule_refuse('updated_at', value_rule_time_problem(NEW.updated_at));
    RETURN NEW;
END;
$$;

CREATE TRIGGER trg_memories_check_values
    BEFORE INSERT OR UPDATE ON memories
    FOR EACH ROW EXECUTE FUNCTION memories_check_values();

-- The embedding guard of version 1, with the norm bounds added.
CREATE OR REPLACE FUNCTION memories_check_embedding() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    registered embedding_model%ROWTYPE;
BEGIN
    IF NEW.embedding IS NULL OR (TG_OP = 'UPDATE' AND NEW.embedding IS NOT DISTINCT FROM OLD.embedding) THEN
        RETURN NEW;
    END IF;
    SELECT * INTO registered FROM embedding_model WHERE id = 1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no embedding model is registered: call vestige_ensure_embedding_model(name, dimension, hash) before writing embeddings'
            USING ERRCODE = 'VS004';
    END IF;
    PERFORM value_rule_refuse('embedding', value_rule_vector_problem(NEW.embedding));
    IF vector_dims(NEW.embedding) <> registered.dimension THEN
        RAISE EXCEPTION 'embedding has % dimensions but the registered model % has %',
            vector_dims(NEW.embedding), registered.name, registered.dimension
            USING ERRCODE = 'VS002';
    END IF;
    RETURN NEW;
END;
$$;

CREATE FUNCTION edges_check_values() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.source_id <> NEW.target_id AND value_rule_label_problem(NEW.edge_type) IS NULL
        AND value_rule_time_problem(NEW.created_at) IS NULL
    THEN
        RETURN NEW;
    END IF;
    IF NEW.source_id = NEW.target_id THEN
        PERFORM value_rule_refuse('edge', 'source and target are the same memory');
    END IF;
    PERFORM value_rule_refuse('edge_type', value_rule_label_problem(NEW.edge_type));
    PERFORM value_rule_refuse('created_at', value_rule_time_problem(NEW.created_at));
    RETURN NEW;
END;
$$;

CREATE TRIGGER trg_edges_check_values
    BEFORE INSERT OR UPDATE ON edges
    FOR EACH ROW EXECUTE FUNCTION edges_check_values();

CREATE FUNCTION domains_check_values() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF value_rule_label_problem(NEW.id) IS NULL AND octet_length(NEW.label) <= 1024
        AND value_rule_labels_ok(NEW.top_terms, 256) AND value_rule_vector_problem(NEW.centroid) IS NULL
        AND value_rule_json_ok(NEW.metadata) AND value_rule_time_problem(NEW.created_at) IS NULL
    THEN
        RETURN NEW;
    END IF;
    PERFORM value_rule_refuse('domain id', value_rule_label_problem(NEW.id));
    IF octet_length(NEW.label) > 1024 THEN
        PERFORM value_rule_refuse('label', format('is %s bytes, more than the 1024 allowed', octet_length(NEW.label)));
    END IF;
    PERFORM value_rule_check_labels('top_terms', NEW.top_terms, 256);
    PERFORM value_rule_refuse('centroid', value_rule_vector_problem(NEW.centroid));
    PERFORM value_rule_refuse('metadata', value_rule_json_problem(NEW.metadata));
    PERFORM value_rule_refuse('created_at', value_rule_time_problem(NEW.created_at));
    RETURN NEW;
END;
$$;

CREATE TRIGGER trg_domains_check_values
    BEFORE INSERT OR UPDATE ON domains
    FOR EACH ROW EXECUTE FUNCTION domains_check_values();

-- Review states are JSON objects under the metadata rules, so that every event exports.
CREATE FUNCTION review_events_check_values() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id <> '00000000-0000-0000-0000-000000000000'
        AND value_rule_json_ok(NEW.prior_state) AND value_rule_json_ok(NEW.new_state)
    THEN
        RETURN NEW;
    END IF;
    IF NEW.id = '00000000-0000-0000-0000-000000000000' THEN
        PERFORM value_rule_refuse('id', 'is the nil UUID');
    END IF;
    PERFORM value_rule_refuse('prior_state', value_rule_json_problem(NEW.prior_state));
    PERFORM value_rule_refuse('new_state', value_rule_json_problem(NEW.new_state));
    RETURN NEW;
END;
$$;

CREATE TRIGGER trg_review_events_check_values
    BEFORE INSERT OR UPDATE ON review_events
    FOR EACH ROW EXECUTE FUNCTION review_events_check_values();

-- A scheduling row is what an FSRS review writes (client/store ValidateScheduling): the
-- constraint names end in the column they guard, which the Go side reports as the field.
ALTER TABLE scheduling DROP CONSTRAINT scheduling_stability_check;
ALTER TABLE scheduling DROP CONSTRAINT scheduling_difficulty_check;
ALTER TABLE scheduling DROP CONSTRAINT scheduling_step_check;
ALTER TABLE scheduling
    ADD CONSTRAINT scheduling_stability_check CHECK (stability > 0 AND stability < 'Infinity'),
    ADD CONSTRAINT scheduling_difficulty_check CHECK (difficulty >= 1 AND difficulty <= 10),
    ADD CONSTRAINT scheduling_step_check CHECK (step >= 0 AND step <= 2147483647 OR step IS NULL),
    ADD CONSTRAINT scheduling_step_state_check CHECK ((state = 2) = (step IS NULL)),
    ADD CONSTRAINT scheduling_last_review_check CHECK (last_review IS NOT NULL AND value_rule_time_problem(last_review) IS NULL),
    ADD CONSTRAINT scheduling_next_review_check CHECK (value_rule_time_problem(next_review) IS NULL);

ALTER TABLE review_events
    ADD CONSTRAINT review_events_reviewed_at_check CHECK (value_rule_time_problem(reviewed_at) IS NULL),
    ADD CONSTRAINT review_events_prior_state_check CHECK (jsonb_typeof(prior_state) = 'object'),
    ADD CONSTRAINT review_events_new_state_check CHECK (jsonb_typeof(new_state) = 'object');

ALTER TABLE embedding_model
    ADD CONSTRAINT embedding_model_name_rule_check CHECK (value_rule_label_problem(name) IS NULL),
    ADD CONSTRAINT embedding_model_hash_rule_check CHECK (value_rule_label_problem(hash) IS NULL),
    ADD CONSTRAINT embedding_model_dimension_max_check CHECK (dimension <= 16000),
    ADD CONSTRAINT embedding_model_created_at_check CHECK (value_rule_time_problem(created_at) IS NULL);

ALTER TABLE fsrs_parameters
    ADD CONSTRAINT fsrs_parameters_weights_finite_check
        CHECK (NOT ('NaN' = ANY (weights) OR 'Infinity' = ANY (weights) OR '-Infinity' = ANY (weights))),
    ADD CONSTRAINT fsrs_parameters_maximum_interval_days_max_check CHECK (maximum_interval_days <= 36500),
    ADD CONSTRAINT fsrs_parameters_updated_at_check CHECK (value_rule_time_problem(updated_at) IS NULL);

---- create above / drop below ----

ALTER TABLE fsrs_parameters
    DROP CONSTRAINT IF EXISTS fsrs_parameters_weights_finite_check,
    DROP CONSTRAINT IF EXISTS fsrs_parameters_maximum_interval_days_max_check,
    DROP CONSTRAINT IF EXISTS fsrs_parameters_updated_at_check;
ALTER TABLE embedding_model
    DROP CONSTRAINT IF EXISTS embedding_model_name_rule_check,
    DROP CONSTRAINT IF EXISTS embedding_model_hash_rule_check,
    DROP CONSTRAINT IF EXISTS embedding_model_dimension_max_check,
    DROP CONSTRAINT IF EXISTS embedding_model_created_at_check;
ALTER TABLE review_events
    DROP CONSTRAINT IF EXISTS review_events_reviewed_at_check,
    DROP CONSTRAINT IF EXISTS review_events_prior_state_check,
    DROP CONSTRAINT IF EXISTS review_events_new_state_check;
ALTER TABLE scheduling
    DROP CONSTRAINT IF EXISTS scheduling_stability_check,
    DROP CONSTRAINT IF EXISTS scheduling_difficulty_check,
    DROP CONSTRAINT IF EXISTS scheduling_step_check,
    DROP CONSTRAINT IF EXISTS scheduling_step_state_check,
    DROP CONSTRAINT IF EXISTS scheduling_last_review_check,
    DROP CONSTRAINT IF EXISTS scheduling_next_review_check;
ALTER TABLE scheduling
    ADD CONSTRAINT scheduling_stability_check CHECK (stability >= 0),
    ADD CONSTRAINT scheduling_difficulty_check CHECK (difficulty >= 0),
    ADD CONSTRAINT scheduling_step_check CHECK (step >= 0);

DROP TRIGGER IF EXISTS trg_review_events_check_values ON review_events;
DROP FUNCTION IF EXISTS review_events_check_values();
DROP TRIGGER IF EXISTS trg_domains_check_values ON domains;
DROP FUNCTION IF EXISTS domains_check_values();
DROP TRIGGER IF EXISTS trg_edges_check_values ON edges;
DROP FUNCTION IF EXISTS edges_check_values();
DROP TRIGGER IF EXISTS trg_memories_check_values ON memories;
DROP FUNCTION IF EXISTS memories_check_values();

-- The embedding guard as version 1 wrote it.
CREATE OR REPLACE FUNCTION memories_check_embedding() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    registered embedding_model%ROWTYPE;
BEGIN
    IF NEW.embedding IS NULL OR (TG_OP = 'UPDATE' AND NEW.embedding IS NOT DISTINCT FROM OLD.embedding) THEN
        RETURN NEW;
    END IF;
    SELECT * INTO registered FROM embedding_model WHERE id = 1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no embedding model is registered: call vestige_ensure_embedding_model(name, dimension, hash) before writing embeddings'
            USING ERRCODE = 'VS004';
    END IF;
    IF vector_norm(NEW.embedding) = 0 THEN
        RAISE EXCEPTION 'embedding is the zero vector: cosine similarity is undefined'
            USING ERRCODE = 'VS006';
    END IF;
    IF vector_dims(NEW.embedding) <> registered.dimension THEN
        RAISE EXCEPTION 'embedding has % dimensions but the registered model % has %',
            vector_dims(NEW.embedding), registered.name, registered.dimension
            USING ERRCODE = 'VS002';
    END IF;
    RETURN NEW;
END;
$$;

DROP FUNCTION IF EXISTS value_rule_scores_ok(jsonb);
DROP FUNCTION IF EXISTS value_rule_keys_ok(jsonb, int);
DROP FUNCTION IF EXISTS value_rule_json_ok(jsonb);
DROP FUNCTION IF EXISTS value_rule_numbers_short(jsonb);
DROP FUNCTION IF EXISTS value_rule_labels_ok(text[], int);
DROP FUNCTION IF EXISTS value_rule_labels_short(text[]);
DROP FUNCTION IF EXISTS value_rule_scores_problem(jsonb);
DROP FUNCTION IF EXISTS value_rule_vector_problem(vector);
DROP FUNCTION IF EXISTS value_rule_time_problem(timestamptz);
DROP FUNCTION IF EXISTS value_rule_json_problem(jsonb);
DROP FUNCTION IF EXISTS value_rule_check_labels(text, text[], int);
DROP FUNCTION IF EXISTS value_rule_refuse(text, text);
DROP FUNCTION IF EXISTS value_rule_label_problem(text);
DROP FUNCTION IF EXISTS value_rule_is_blank(text);
