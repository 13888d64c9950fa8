-- SQLite schema, version 2: the value rules (docs/value-rules.md), as Postgres' migration
-- 002 holds them. The Go store checks every write first; these triggers hold the same rules
-- for rows written by other programs, with messages "VS006: invalid <field>: <reason>" that
-- the store reads back as *store.InvalidInputError. (SQLite's RAISE takes a fixed message,
-- so the reasons name the limit but not the measured value; metadata
-- depth is left to the Go side: SQLite's JSON parser refuses nesting past 1,000, and a trigger
-- cannot recurse. Nor can SQL here tell invalid UTF-8 or a lone surrogate escape, or a vector's
-- norm: the store refuses those before writing; docs/value-rules.md lists what holds where.)
--
-- Insert and update need a trigger each (SQLite has no INSERT OR UPDATE trigger).

CREATE TRIGGER trg_memories_values_insert BEFORE INSERT ON memories
BEGIN
    SELECT RAISE(ABORT, 'VS006: invalid id: is not a UUID in lowercase text')
    WHERE new.id NOT GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]';
    SELECT RAISE(ABORT, 'VS006: invalid content: contains a NUL byte')
    WHERE instr(CAST(new.content AS BLOB), x'00') > 0;
    SELECT RAISE(ABORT, 'VS006: invalid metadata: is not JSON text as RFC 8259 writes it')
    WHERE NOT json_valid(new.metadata) OR NOT json_valid(new.domain_scores) OR NOT json_valid(new.tags) OR NOT json_valid(new.domains);
    SELECT RAISE(ABORT, 'VS006: invalid metadata: has a number out of range (0 or magnitude 1e-300 to 1.7976931348623157e308)')
    WHERE EXISTS (SELECT 1 FROM json_tree(new.metadata) AS e
                  WHERE e.type IN ('integer', 'real') AND (abs(e.atom) > 1.7976931348623157e308 OR (e.atom <> 0 AND abs(e.atom) < 1e-300)));
    SELECT RAISE(ABORT, 'VS006: invalid id: is the nil UUID')
    WHERE new.id = '00000000-0000-0000-0000-000000000000';
    SELECT RAISE(ABORT, 'VS006: invalid content: is more than the 262144 bytes allowed')
    WHERE length(CAST(new.content AS BLOB)) > 262144;
    SELECT RAISE(ABORT, 'VS006: invalid content: is empty (only white space)')
    WHERE trim(new.content, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) = '';
    SELECT RAISE(ABORT, 'VS006: invalid node_type: breaks the label rule (1 to 256 bytes, no control character, not blank)')
    WHERE (typeof(new.node_type) <> 'text' OR length(CAST(new.node_type AS BLOB)) NOT BETWEEN 1 AND 256 OR new.node_type GLOB '*[' || char(1) || '-' || char(31) || char(127) || '-' || char(159) || ']*' OR trim(new.node_type, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) = '');
    SELECT RAISE(ABORT, 'VS006: invalid tags: has more than the 64 values allowed')
    WHERE json_array_length(new.tags) > 64;
    SELECT RAISE(ABORT, 'VS006: invalid tags: a value breaks the label rule (1 to 256 bytes, no control character, not blank)')
    WHERE EXISTS (SELECT 1 FROM json_each(new.tags) AS e WHERE (typeof(e.value) <> 'text' OR length(CAST(e.value AS BLOB)) NOT BETWEEN 1 AND 256 OR e.value GLOB '*[' || char(1) || '-' || char(31) || char(127) || '-' || char(159) || ']*' OR trim(e.value, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) = ''));
    SELECT RAISE(ABORT, 'VS006: invalid domains: has more than the 64 values allowed')
    WHERE json_array_length(new.domains) > 64;
    SELECT RAISE(ABORT, 'VS006: invalid domains: a value breaks the label rule (1 to 256 bytes, no control character, not blank)')
    WHERE EXISTS (SELECT 1 FROM json_each(new.domains) AS e WHERE (typeof(e.value) <> 'text' OR length(CAST(e.value AS BLOB)) NOT BETWEEN 1 AND 256 OR e.value GLOB '*[' || char(1) || '-' || char(31) || char(127) || '-' || char(159) || ']*' OR trim(e.value, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) = ''));
    SELECT RAISE(ABORT, 'VS006: invalid domain_scores: has more than the 64 entries allowed')
    WHERE (SELECT count(*) FROM json_each(new.domain_scores)) > 64;
    SELECT RAISE(ABORT, 'VS006: invalid domain_scores: a key breaks the label rule or a value is not a number')
    WHERE EXISTS (SELECT 1 FROM json_each(new.domain_scores) AS e WHERE e.type NOT IN ('integer', 'real') OR (typeof(e.key) <> 'text' OR length(CAST(e.key AS BLOB)) NOT BETWEEN 1 AND 256 OR e.key GLOB '*[' || char(1) || '-' || char(31) || char(127) || '-' || char(159) || ']*' OR trim(e.key, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) = ''));
    SELECT RAISE(ABORT, 'VS006: invalid metadata: is more than the 65536 bytes allowed')
    WHERE length(CAST(new.metadata AS BLOB)) > 65536;
    SELECT RAISE(ABORT, 'VS006: invalid created_at: is outside the stored range 0001-01-01 to 9999-12-31')
    WHERE (new.created_at NOT BETWEEN -62135596799999999 AND 253402300799999999);
    SELECT RAISE(ABORT, 'VS006: invalid updated_at: is outside the stored range 0001-01-01 to 9999-12-31')
    WHERE (new.updated_at NOT BETWEEN -62135596799999999 AND 253402300799999999);
END;

CREATE TRIGGER trg_memories_values_update BEFORE UPDATE ON memories
BEGIN
    SELECT RAISE(ABORT, 'VS006: invalid id: is not a UUID in lowercase text')
    WHERE new.id NOT GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]';
    SELECT RAISE(ABORT, 'VS006: invalid content: contains a NUL byte')
    WHERE instr(CAST(new.content AS BLOB), x'00') > 0;
    SELECT RAISE(ABORT, 'VS006: invalid metadata: is not JSON text as RFC 8259 writes it')
    WHERE NOT json_valid(new.metadata) OR NOT json_valid(new.domain_scores) OR NOT json_valid(new.tags) OR NOT json_valid(new.domains);
    SELECT RAISE(ABORT, 'VS006: invalid metadata: has a number out of range (0 or magnitude 1e-300 to 1.7976931348623157e308)')
    WHERE EXISTS (SELECT 1 FROM json_tree(new.metadata) AS e
                  WHERE e.type IN ('integer', 'real') AND (abs(e.atom) > 1.7976931348623157e308 OR (e.atom <> 0 AND abs(e.atom) < 1e-300)));
    SELECT RAISE(ABORT, 'VS006: invalid id: is the nil UUID')
    WHERE new.id = '00000000-0000-0000-0000-000000000000';
    SELECT RAISE(ABORT, 'VS006: invalid content: is more than the 262144 bytes allowed')
    WHERE length(CAST(new.content AS BLOB)) > 262144;
    SELECT RAISE(ABORT, 'VS006: invalid content: is empty (only white space)')
    WHERE trim(new.content, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) = '';
    SELECT RAISE(ABORT, 'VS006: invalid node_type: breaks the label rule (1 to 256 bytes, no control character, not blank)')
    WHERE (typeof(new.node_type) <> 'text' OR length(CAST(new.node_type AS BLOB)) NOT BETWEEN 1 AND 256 OR new.node_type GLOB '*[' || char(1) || '-' || char(31) || char(127) || '-' || char(159) || ']*' OR trim(new.node_type, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) = '');
    SELECT RAISE(ABORT, 'VS006: invalid tags: has more than the 64 values allowed')
    WHERE json_array_length(new.tags) > 64;
    SELECT RAISE(ABORT, 'VS006: invalid tags: a value breaks the label rule (1 to 256 bytes, no control character, not blank)')
    WHERE EXISTS (SELECT 1 FROM json_each(new.tags) AS e WHERE (typeof(e.value) <> 'text' OR length(CAST(e.value AS BLOB)) NOT BETWEEN 1 AND 256 OR e.value GLOB '*[' || char(1) || '-' || char(31) || char(127) || '-' || char(159) || ']*' OR trim(e.value, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) = ''));
    SELECT RAISE(ABORT, 'VS006: invalid domains: has more than the 64 values allowed')
    WHERE json_array_length(new.domains) > 64;
    SELECT RAISE(ABORT, 'VS006: invalid domains: a value breaks the label rule (1 to 256 bytes, no control character, not blank)')
    WHERE EXISTS (SELECT 1 FROM json_each(new.domains) AS e WHERE (typeof(e.value) <> 'text' OR length(CAST(e.value AS BLOB)) NOT BETWEEN 1 AND 256 OR e.value GLOB '*[' || char(1) || '-' || char(31) || char(127) || '-' || char(159) || ']*' OR trim(e.value, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) = ''));
    SELECT RAISE(ABORT, 'VS006: invalid domain_scores: has more than the 64 entries allowed')
    WHERE (SELECT count(*) FROM json_each(new.domain_scores)) > 64;
    SELECT RAISE(ABORT, 'VS006: invalid domain_scores: a key breaks the label rule or a value is not a number')
    WHERE EXISTS (SELECT 1 FROM json_each(new.domain_scores) AS e WHERE e.type NOT IN ('integer', 'real') OR (typeof(e.key) <> 'text' OR length(CAST(e.key AS BLOB)) NOT BETWEEN 1 AND 256 OR e.key GLOB '*[' || char(1) || '-' || char(31) || char(127) || '-' || char(159) || ']*' OR trim(e.key, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) = ''));
    SELECT RAISE(ABORT, 'VS006: invalid metadata: is more than the 65536 bytes allowed')
    WHERE length(CAST(new.metadata AS BLOB)) > 65536;
    SELECT RAISE(ABORT, 'VS006: invalid created_at: is outside the stored range 0001-01-01 to 9999-12-31')
    WHERE (new.created_at NOT BETWEEN -62135596799999999 AND 253402300799999999);
    SELECT RAISE(ABORT, 'VS006: invalid updated_at: is outside the stored range 0001-01-01 to 9999-12-31')
    WHERE (new.updated_at NOT BETWEEN -62135596799999999 AND 253402300799999999);
END;

CREATE TRIGGER trg_edges_values_insert BEFORE INSERT ON edges
BEGIN
    SELECT RAISE(ABORT, 'VS006: invalid edge: source and target are the same memory')
    WHERE new.source_id = new.target_id;
    SELECT RAISE(ABORT, 'VS006: invalid edge_type: breaks the label rule (1 to 256 bytes, no control character, not blank)')
    WHERE (typeof(new.edge_type) <> 'text' OR length(CAST(new.edge_type AS BLOB)) NOT BETWEEN 1 AND 256 OR new.edge_type GLOB '*[' || char(1) || '-' || char(31) || char(127) || '-' || char(159) || ']*' OR trim(new.edge_type, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) = '');
    SELECT RAISE(ABORT, 'VS006: invalid created_at: is outside the stored range 0001-01-01 to 9999-12-31')
    WHERE (new.created_at NOT BETWEEN -62135596799999999 AND 253402300799999999);
END;

CREATE TRIGGER trg_edges_values_update BEFORE UPDATE ON edges
BEGIN
    SELECT RAISE(ABORT, 'VS006: invalid edge: source and target are the same memory')
    WHERE new.source_id = new.target_id;
    SELECT RAISE(ABORT, 'VS006: invalid edge_type: breaks the label rule (1 to 256 bytes, no control character, not blank)')
    WHERE (typeof(new.edge_type) <> 'text' OR length(CAST(new.edge_type AS BLOB)) NOT BETWEEN 1 AND 256 OR new.edge_type GLOB '*[' || char(1) || '-' || char(31) || char(127) || '-' || char(159) || ']*' OR trim(new.edge_type, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) = '');
    SELECT RAISE(ABORT, 'VS006: invalid created_at: is outside the stored range 0001-01-01 to 9999-12-31')
    WHERE (new.created_at NOT BETWEEN -62135596799999999 AND 253402300799999999);
END;

CREATE TRIGGER trg_domains_values_insert BEFORE INSERT ON domains
BEGIN
    SELECT RAISE(ABORT, 'VS006: invalid metadata: is not JSON text as RFC 8259 writes it')
    WHERE NOT json_valid(new.metadata) OR NOT json_valid(new.top_terms);
    SELECT RAISE(ABORT, 'VS006: invalid metadata: has a number out of range (0 or magnitude 1e-300 to 1.7976931348623157e308)')
    WHERE EXISTS (SELECT 1 FROM json_tree(new.metadata) AS e
                  WHERE e.type IN ('integer', 'real') AND (abs(e.atom) > 1.7976931348623157e308 OR (e.atom <> 0 AND abs(e.atom) < 1e-300)));
    SELECT RAISE(ABORT, 'VS006: invalid domain id: breaks the label rule (1 to 256 bytes, no control character, not blank)')
    WHERE (typeof(new.id) <> 'text' OR length(CAST(new.id AS BLOB)) NOT BETWEEN 1 AND 256 OR new.id GLOB '*[' || char(1) || '-' || char(31) || char(127) || '-' || char(159) || ']*' OR trim(new.id, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) = '');
    SELECT RAISE(ABORT, 'VS006: invalid label: is more than the 1024 bytes allowed')
    WHERE length(CAST(new.label AS BLOB)) > 1024;
    SELECT RAISE(ABORT, 'VS006: invalid top_terms: has more than the 256 values allowed')
    WHERE json_array_length(new.top_terms) > 256;
    SELECT RAISE(ABORT, 'VS006: invalid top_terms: a value breaks the label rule (1 to 256 bytes, no control character, not blank)')
    WHERE EXISTS (SELECT 1 FROM json_each(new.top_terms) AS e WHERE (typeof(e.value) <> 'text' OR length(CAST(e.value AS BLOB)) NOT BETWEEN 1 AND 256 OR e.value GLOB '*[' || char(1) || '-' || char(31) || char(127) || '-' || char(159) || ']*' OR trim(e.value, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) = ''));
    SELECT RAISE(ABORT, 'VS006: invalid metadata: is more than the 65536 bytes allowed')
    WHERE length(CAST(new.metadata AS BLOB)) > 65536;
    SELECT RAISE(ABORT, 'VS006: invalid created_at: is outside the stored range 0001-01-01 to 9999-12-31')
    WHERE (new.created_at NOT BETWEEN -62135596799999999 AND 253402300799999999);
END;

CREATE TRIGGER trg_domains_values_update BEFORE UPDATE ON domains
BEGIN
    SELECT RAISE(ABORT, 'VS006: invalid metadata: is not JSON text as RFC 8259 writes it')
    WHERE NOT json_valid(new.metadata) OR NOT json_valid(new.top_terms);
    SELECT RAISE(ABORT, 'VS006: invalid metadata: has a number out of range (0 or magnitude 1e-300 to 1.7976931348623157e308)')
    WHERE EXISTS (SELECT 1 FROM json_tree(new.metadata) AS e
                  WHERE e.type IN ('integer', 'real') AND (abs(e.atom) > 1.7976931348623157e308 OR (e.atom <> 0 AND abs(e.atom) < 1e-300)));
    SELECT RAISE(ABORT, 'VS006: invalid domain id: breaks the label rule (1 to 256 bytes, no control character, not blank)')
    WHERE (typeof(new.id) <> 'text' OR length(CAST(new.id AS BLOB)) NOT BETWEEN 1 AND 256 OR new.id GLOB '*[' || char(1) || '-' || char(31) || char(127) || '-' || char(159) || ']*' OR trim(new.id, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) = '');
    SELECT RAISE(ABORT, 'VS006: invalid label: is more than the 1024 bytes allowed')
    WHERE length(CAST(new.label AS BLOB)) > 1024;
    SELECT RAISE(ABORT, 'VS006: invalid top_terms: has more than the 256 values allowed')
    WHERE json_array_length(new.top_terms) > 256;
    SELECT RAISE(ABORT, 'VS006: invalid top_terms: a value breaks the label rule (1 to 256 bytes, no control character, not blank)')
    WHERE EXISTS (SELECT 1 FROM json_each(new.top_terms) AS e WHERE (typeof(e.value) <> 'text' OR length(CAST(e.value AS BLOB)) NOT BETWEEN 1 AND 256 OR e.value GLOB '*[' || char(1) || '-' || char(31) || char(127) || '-' || char(159) || ']*' OR trim(e.value, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) = ''));
    SELECT RAISE(ABORT, 'VS006: invalid metadata: is more than the 65536 bytes allowed')
    WHERE length(CAST(new.metadata AS BLOB)) > 65536;
    SELECT RAISE(ABORT, 'VS006: invalid created_at: is outside the stored range 0001-01-01 to 9999-12-31')
    WHERE (new.created_at NOT BETWEEN -62135596799999999 AND 253402300799999999);
END;

CREATE TRIGGER trg_scheduling_values_insert BEFORE INSERT ON scheduling
BEGIN
    SELECT RAISE(ABORT, 'VS006: invalid stability: must be a number > 0')
    WHERE NOT (new.stability > 0 AND new.stability < 9e999);
    SELECT RAISE(ABORT, 'VS006: invalid difficulty: must be in [1, 10]')
    WHERE NOT (new.difficulty BETWEEN 1 AND 10);
    SELECT RAISE(ABORT, 'VS006: invalid step: is NULL exactly in the review state (2)')
    WHERE (new.state = 2) <> (new.step IS NULL);
    SELECT RAISE(ABORT, 'VS006: invalid last_review: is required, within 0001-01-01 to 9999-12-31')
    WHERE new.last_review IS NULL OR (new.last_review NOT BETWEEN -62135596799999999 AND 253402300799999999);
    SELECT RAISE(ABORT, 'VS006: invalid next_review: is outside the stored range 0001-01-01 to 9999-12-31')
    WHERE new.next_review IS NOT NULL AND (new.next_review NOT BETWEEN -62135596799999999 AND 253402300799999999);
    SELECT RAISE(ABORT, 'VS006: invalid reps/lapses: must be in [0, 2147483647]')
    WHERE new.reps > 2147483647 OR new.lapses > 2147483647 OR new.step > 2147483647;
END;

CREATE TRIGGER trg_scheduling_values_update BEFORE UPDATE ON scheduling
BEGIN
    SELECT RAISE(ABORT, 'VS006: invalid stability: must be a number > 0')
    WHERE NOT (new.stability > 0 AND new.stability < 9e999);
    SELECT RAISE(ABORT, 'VS006: invalid difficulty: must be in [1, 10]')
    WHERE NOT (new.difficulty BETWEEN 1 AND 10);
    SELECT RAISE(ABORT, 'VS006: invalid step: is NULL exactly in the review state (2)')
    WHERE (new.state = 2) <> (new.step IS NULL);
    SELECT RAISE(ABORT, 'VS006: invalid last_review: is required, within 0001-01-01 to 9999-12-31')
    WHERE new.last_review IS NULL OR (new.last_review NOT BETWEEN -62135596799999999 AND 253402300799999999);
    SELECT RAISE(ABORT, 'VS006: invalid next_review: is outside the stored range 0001-01-01 to 9999-12-31')
    WHERE new.next_review IS NOT NULL AND (new.next_review NOT BETWEEN -62135596799999999 AND 253402300799999999);
    SELECT RAISE(ABORT, 'VS006: invalid reps/lapses: must be in [0, 2147483647]')
    WHERE new.reps > 2147483647 OR new.lapses > 2147483647 OR new.step > 2147483647;
END;

CREATE TRIGGER trg_review_events_values_insert BEFORE INSERT ON review_events
BEGIN
    SELECT RAISE(ABORT, 'VS006: invalid id: is not a UUID in lowercase text, or the nil UUID')
    WHERE new.id NOT GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]' OR new.id = '00000000-0000-0000-0000-000000000000';
    SELECT RAISE(ABORT, 'VS006: invalid prior_state: is not JSON text as RFC 8259 writes it')
    WHERE NOT json_valid(new.prior_state) OR NOT json_valid(new.new_state);
    SELECT RAISE(ABORT, 'VS006: invalid reviewed_at: is outside the stored range 0001-01-01 to 9999-12-31')
    WHERE (new.reviewed_at NOT BETWEEN -62135596799999999 AND 253402300799999999);
END;

CREATE TRIGGER trg_review_events_values_update BEFORE UPDATE ON review_events
BEGIN
    SELECT RAISE(ABORT, 'VS006: invalid id: is not a UUID in lowercase text, or the nil UUID')
    WHERE new.id NOT GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]' OR new.id = '00000000-0000-0000-0000-000000000000';
    SELECT RAISE(ABORT, 'VS006: invalid prior_state: is not JSON text as RFC 8259 writes it')
    WHERE NOT json_valid(new.prior_state) OR NOT json_valid(new.new_state);
    SELECT RAISE(ABORT, 'VS006: invalid reviewed_at: is outside the stored range 0001-01-01 to 9999-12-31')
    WHERE (new.reviewed_at NOT BETWEEN -62135596799999999 AND 253402300799999999);
END;

CREATE TRIGGER trg_fsrs_parameters_values_insert BEFORE INSERT ON fsrs_parameters
BEGIN
    SELECT RAISE(ABORT, 'VS006: invalid maximum_interval_days: is more than the 36500 allowed')
    WHERE new.maximum_interval_days > 36500;
END;

CREATE TRIGGER trg_fsrs_parameters_values_update BEFORE UPDATE ON fsrs_parameters
BEGIN
    SELECT RAISE(ABORT, 'VS006: invalid maximum_interval_days: is more than the 36500 allowed')
    WHERE new.maximum_interval_days > 36500;
END;

---- create above / drop below ----

DROP TRIGGER IF EXISTS trg_memories_values_insert;
DROP TRIGGER IF EXISTS trg_memories_values_update;
DROP TRIGGER IF EXISTS trg_edges_values_insert;
DROP TRIGGER IF EXISTS trg_edges_values_update;
DROP TRIGGER IF EXISTS trg_domains_values_insert;
DROP TRIGGER IF EXISTS trg_domains_values_update;
DROP TRIGGER IF EXISTS trg_scheduling_values_insert;
DROP TRIGGER IF EXISTS trg_scheduling_values_update;
DROP TRIGGER IF EXISTS trg_review_events_values_insert;
DROP TRIGGER IF EXISTS trg_review_events_values_update;
DROP TRIGGER IF EXISTS trg_fsrs_parameters_values_insert;
DROP TRIGGER IF EXISTS trg_fsrs_parameters_values_update;
