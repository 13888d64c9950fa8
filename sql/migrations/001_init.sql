-- vestige schema, version 1: every table of the store.
--
-- The public API (vestige_* functions) is not created here: it lives in sql/functions and is
-- reinstalled by migrate whenever those files change, so a fix to a function never needs a
-- migration. Only the helpers that tables depend on (the search_vec expression, the
-- updated_at trigger) live here.

CREATE EXTENSION IF NOT EXISTS vector;

-- A generated column needs an IMMUTABLE expression, and array_to_string is only STABLE
-- (its output could depend on the element type's output function). For text[] it is in
-- fact immutable, so the wrapper is honest. The 'english' configuration is spelled as a
-- regconfig constant so that the result never depends on default_text_search_config.
CREATE FUNCTION memories_search_vector(content text, node_type text, tags text[])
RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN setweight(to_tsvector('english'::regconfig, coalesce(content, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, coalesce(node_type, '')), 'B')
    || setweight(to_tsvector('english'::regconfig, coalesce(array_to_string(tags, ' '), '')), 'C');

-- The one embedding model whose vectors the store holds. Empty until the first writer
-- registers its model (vestige_ensure_embedding_model), which also stamps vector(N) on
-- memories.embedding and builds the HNSW index.
CREATE TABLE embedding_model (
    id         smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    name       text NOT NULL CHECK (name <> ''),
    dimension  integer NOT NULL CHECK (dimension > 0),
    hash       text NOT NULL CHECK (hash <> ''),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE domains (
    id           text PRIMARY KEY CHECK (id <> ''),
    label        text NOT NULL,
    centroid     vector,
    top_terms    text[] NOT NULL DEFAULT '{}',
    memory_count integer NOT NULL DEFAULT 0 CHECK (memory_count >= 0),
    created_at   timestamptz NOT NULL DEFAULT now(),
    metadata     jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object')
);

CREATE TABLE memories (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    domains       text[] NOT NULL DEFAULT '{}',
    domain_scores jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(domain_scores) = 'object'),
    content       text NOT NULL,
    node_type     text NOT NULL DEFAULT 'general',
    tags          text[] NOT NULL DEFAULT '{}',
    embedding     vector,
    metadata      jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    search_vec    tsvector GENERATED ALWAYS AS (memories_search_vector(content, node_type, tags)) STORED
);

-- Once the registry keeps 3 KB vectors inline (vestige_ensure_embedding_model), rows pass
-- the TOAST threshold and Postgres would move search_vec out of line: every FTS ranking would
-- then detoast it (measured: twice the time at 100k memories). Keep it in the row.
ALTER TABLE memories ALTER COLUMN search_vec SET STORAGE MAIN;

-- FSRS state. A memory without a row here is a new card: never reviewed, retrievability 1,
-- due from its creation time. The first review creates the row.
CREATE TABLE scheduling (
    memory_id      uuid PRIMARY KEY REFERENCES memories (id) ON DELETE CASCADE,
    stability      double precision NOT NULL DEFAULT 0 CHECK (stability >= 0),
    difficulty     double precision NOT NULL DEFAULT 0 CHECK (difficulty >= 0),
    -- R just before the last review; the live value is vestige_retrievability().
    retrievability double precision NOT NULL DEFAULT 1 CHECK (retrievability >= 0 AND retrievability <= 1),
    last_review    timestamptz,
    next_review    timestamptz,
    reps           integer NOT NULL DEFAULT 0 CHECK (reps >= 0),
    lapses         integer NOT NULL DEFAULT 0 CHECK (lapses >= 0),
    -- 1 learning, 2 review, 3 relearning (as the reference scheduler numbers them).
    state          smallint NOT NULL DEFAULT 1 CHECK (state IN (1, 2, 3)),
    -- Index of the current learning or relearning step; NULL in the review state.
    step           integer CHECK (step >= 0)
);

CREATE TABLE edges (
    source_id  uuid NOT NULL REFERENCES memories (id) ON DELETE CASCADE,
    target_id  uuid NOT NULL REFERENCES memories (id) ON DELETE CASCADE,
    edge_type  text NOT NULL DEFAULT 'related' CHECK (edge_type <> ''),
    -- Activation multiplies weights along a path, so they must stay in [0, 1].
    weight     double precision NOT NULL DEFAULT 1 CHECK (weight >= 0 AND weight <= 1),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source_id, target_id, edge_type)
);

-- Append-only log of reviews. A UUID key (not a sequence) so that copying between databases
-- is exactly-once.
CREATE TABLE review_events (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    memory_id   uuid NOT NULL REFERENCES memories (id) ON DELETE CASCADE,
    reviewed_at timestamptz NOT NULL DEFAULT now(),
    rating      smallint NOT NULL CHECK (rating BETWEEN 1 AND 4),
    prior_state jsonb NOT NULL,
    new_state   jsonb NOT NULL
);

-- The FSRS-6 scheduler's parameters, read by vestige_review and by the Go twin. The
-- defaults are the reference scheduler's (py-fsrs 6.3.2).
CREATE TABLE fsrs_parameters (
    id                     smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    weights                double precision[] NOT NULL DEFAULT '{0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796, 1.4835, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542}'
        CHECK (cardinality(weights) = 21 AND array_position(weights, NULL) IS NULL),
    desired_retention      double precision NOT NULL DEFAULT 0.9 CHECK (desired_retention > 0 AND desired_retention < 1),
    learning_steps_secs    integer[] NOT NULL DEFAULT '{60, 600}' CHECK (0 < ALL (learning_steps_secs)),
    relearning_steps_secs  integer[] NOT NULL DEFAULT '{600}' CHECK (0 < ALL (relearning_steps_secs)),
    maximum_interval_days  integer NOT NULL DEFAULT 36500 CHECK (maximum_interval_days > 0),
    updated_at             timestamptz NOT NULL DEFAULT now()
);
INSERT INTO fsrs_parameters DEFAULT VALUES;

-- What migrate last installed from sql/functions, so it reinstalls only on change.
CREATE TABLE vestige_functions (
    id           smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    hash         text NOT NULL,
    installed_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX idx_memories_fts ON memories USING gin (search_vec);
CREATE INDEX idx_memories_domains ON memories USING gin (domains);
CREATE INDEX idx_memories_tags ON memories USING gin (tags);
CREATE INDEX idx_memories_node_type ON memories (node_type);
CREATE INDEX idx_memories_created ON memories (created_at, id);
CREATE INDEX idx_memories_updated ON memories (updated_at);
CREATE INDEX idx_scheduling_next_review ON scheduling (next_review);
CREATE INDEX idx_scheduling_last_review ON scheduling (last_review);
CREATE INDEX idx_edges_target ON edges (target_id);
CREATE INDEX idx_edges_source ON edges (source_id);
CREATE INDEX idx_edges_type ON edges (edge_type);
CREATE INDEX idx_review_events_memory ON review_events (memory_id, reviewed_at);
CREATE INDEX idx_review_events_ts ON review_events (reviewed_at);

-- Keeps updated_at honest for writers that do not set it (a psql UPDATE, say). A writer that
-- sets it explicitly (the Go store, an import) keeps its value.
CREATE FUNCTION memories_set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER trg_memories_updated_at
    BEFORE UPDATE ON memories
    FOR EACH ROW EXECUTE FUNCTION memories_set_updated_at();

-- (The trigger names no column: one that did would block the registry's ALTER COLUMN TYPE.)
-- Vectors of two models never mix: a vector is written only under a registered model and
-- with its dimension. (Once the registry has stamped vector(N) on the column, pgvector's own
-- check fires first with "expected N dimensions"; before that, this is the only guard.)
CREATE FUNCTION memories_check_embedding() RETURNS trigger
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

CREATE TRIGGER trg_memories_check_embedding
    BEFORE INSERT OR UPDATE ON memories
    FOR EACH ROW EXECUTE FUNCTION memories_check_embedding();

---- create above / drop below ----

DROP TRIGGER IF EXISTS trg_memories_check_embedding ON memories;
DROP FUNCTION IF EXISTS memories_check_embedding();
DROP TRIGGER IF EXISTS trg_memories_updated_at ON memories;
DROP FUNCTION IF EXISTS memories_set_updated_at();
DROP TABLE IF EXISTS vestige_functions;
DROP TABLE IF EXISTS fsrs_parameters;
DROP TABLE IF EXISTS review_events;
DROP TABLE IF EXISTS edges;
DROP TABLE IF EXISTS scheduling;
DROP TABLE IF EXISTS memories;
DROP TABLE IF EXISTS domains;
DROP TABLE IF EXISTS embedding_model;
DROP FUNCTION IF EXISTS memories_search_vector(text, text, text[]);
-- The vector extension stays: other schemas of this database may use it.
