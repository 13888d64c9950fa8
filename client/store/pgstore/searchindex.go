package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// searchIndexes are the secondary indexes of memories but the vector index (the GIN indexes
// and B-trees of sql/migrations/001_init.sql and 004_tokens.sql; the definitions must stay
// theirs), in the order BuildSearchIndexes puts them back; the primary key stays, for the
// copy's conflicts and the foreign keys. ftsIndex is last because its absence also marks the
// postings as stale: while it is missing, LoadBulk writes memories without their
// memory_terms and new_cards rows (see skipValueChecks).
var searchIndexes = []struct{ name, using string }{
	{"idx_memories_node_type", "btree (node_type)"},
	{"idx_memories_created", "btree (created_at, id)"},
	{"idx_memories_updated", "btree (updated_at)"},
	{"idx_memories_domains", "gin (domains)"},
	{"idx_memories_tags", "gin (tags)"},
	{ftsIndex, "gin (search_vec)"},
}

const ftsIndex = "idx_memories_fts"

// derivedTriggers write what is derived from inserted memories: migration 006's postings
// (a statement trigger) and migration 005's new_cards (a row trigger). LoadBulk turns them
// off in its own transactions while ftsIndex is missing, and rebuildDerived recomputes both.
var derivedTriggers = []string{"trg_memories_terms_insert", "trg_memories_new_cards"}

// schedulingDerivedTrigger is migration 005's trigger that keeps new_cards when scheduling
// rows are written; LoadBulk turns it off too while ftsIndex is missing.
const schedulingDerivedTrigger = "trg_scheduling_new_cards"

// SearchIndexesPending reports whether one of searchIndexes is missing (dropped by
// DropSearchIndexes for a bulk load, and not built back yet: a copy killed in between).
func (s *Store) SearchIndexesPending(ctx context.Context) (bool, error) {
	var pending bool
	err := s.with(ctx, "search indexes", func(c *pgxpool.Conn) error {
		for _, ix := range searchIndexes {
			present, _, err := indexState(ctx, c.Conn(), ix.name)
			if err != nil {
				return err
			}
			pending = pending || !present
		}
		return nil
	})
	return pending, err
}

// DropSearchIndexes drops the secondary indexes of memories (but the vector index) before a
// bulk load into an empty store: each batch then writes the heap and the primary key only, and BuildSearchIndexes builds
// the indexes and the postings once, in about a tenth of the time the rows would take
// through them one statement at a time. Until then full-text, tag and domain searches
// scan memories, and the full-text ranking does not see the rows LoadBulk writes.
func (s *Store) DropSearchIndexes(ctx context.Context) error {
	return s.with(ctx, "drop search indexes", func(c *pgxpool.Conn) error {
		// The full-text index first: from then on LoadBulk leaves the postings to the build.
		for i := len(searchIndexes) - 1; i >= 0; i-- {
			if _, err := c.Exec(ctx, `DROP INDEX IF EXISTS `+pgx.Identifier{searchIndexes[i].name}.Sanitize()); err != nil {
				return err
			}
		}
		return nil
	})
}

// BuildSearchIndexes puts back what DropSearchIndexes took away: first, when the full-text
// index is missing, the postings (memory_terms, term_stats and memory_count_shards) and
// new_cards, recomputed from every memory in one transaction that makes writers of
// memories and scheduling wait (exact whatever was written meanwhile), then each missing
// index, the full-text one last. done is called after each step with its name ("postings", or the index's) and time. A build killed midway is completed by the next call.
func (s *Store) BuildSearchIndexes(ctx context.Context, done func(step string, took time.Duration)) error {
	return s.with(ctx, "build search indexes", func(c *pgxpool.Conn) error {
		ftsPresent, _, err := indexState(ctx, c.Conn(), ftsIndex)
		if err != nil {
			return err
		}
		if !ftsPresent {
			t := time.Now()
			if err := rebuildDerived(ctx, c.Conn()); err != nil {
				return fmt.Errorf("rebuild the full-text postings and new cards: %w", err)
			}
			done("postings", time.Since(t))
		}
		for _, ix := range searchIndexes {
			present, _, err := indexState(ctx, c.Conn(), ix.name)
			if err != nil {
				return err
			}
			if present {
				continue
			}
			t := time.Now()
			if err := buildSearchIndex(ctx, c.Conn(), ix.name, ix.using); err != nil {
				return err
			}
			done(ix.name, time.Since(t))
		}
		return nil
	})
}

func buildSearchIndex(ctx context.Context, c *pgx.Conn, name, using string) error {
	// Left invalid by an interrupted CONCURRENTLY build (none of ours, but a user's).
	if _, err := c.Exec(ctx, `DROP INDEX IF EXISTS `+pgx.Identifier{name}.Sanitize()); err != nil {
		return err
	}
	if _, err := c.Exec(ctx, `SET maintenance_work_mem = `+indexBuildMem); err != nil {
		return err
	}
	defer func() { _, _ = c.Exec(context.WithoutCancel(ctx), `RESET maintenance_work_mem`) }()
	if _, err := c.Exec(ctx, fmt.Sprintf(`CREATE INDEX %s ON memories USING %s`, pgx.Identifier{name}.Sanitize(), using)); err != nil {
		return fmt.Errorf("build %s: %w", name, err)
	}
	return nil
}

// rebuildDerived recomputes migration 006's derived tables from memories
// (memory_terms_rebuild) and migration 005's new_cards (its definition: the memories
// without a scheduling row that has a next review), with the writers of memories and
// scheduling kept out (their triggers would write the same rows); readers go on.
func rebuildDerived(ctx context.Context, c *pgx.Conn) error {
	return pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
		for _, q := range []string{
			`LOCK TABLE memories IN SHARE MODE`,
			`LOCK TABLE scheduling IN SHARE MODE`,
			`SELECT memory_terms_rebuild()`,
			// Rows that writers' triggers added while the load's were off are recomputed
			// with the rest.
			`DELETE FROM new_cards`,
			`INSERT INTO new_cards (memory_id, created_at)
			 SELECT m.id, m.created_at FROM memories m
			  WHERE NOT EXISTS (SELECT 1 FROM scheduling s WHERE s.memory_id = m.id AND s.next_review IS NOT NULL)
			  ORDER BY m.id`,
		} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
}
