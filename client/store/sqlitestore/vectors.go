package sqlitestore

import (
	"fmt"
	"math"
	"sync"

	"zombiezen.com/go/sqlite"
)

// vectorIndex is the process's copy of every stored embedding, unit-normalised, for exact
// cosine scans. SQLite has no vector index, and a scan over vectors already in memory costs
// about what a plain Go cosine loop costs, where reading 100k BLOBs per query would cost many
// times that.
//
// It stays current across connections and processes: a watch connection (which never writes)
// sees PRAGMA data_version change whenever any other connection commits; the index then
// replays vector_log, the rows whose embedding changed since its last look, or reloads
// everything when the log cannot tell (a new schema epoch, entries it had not replayed were
// pruned).
type vectorIndex struct {
	path  string
	flags sqlite.OpenFlags

	syncMu      sync.Mutex // one sync at a time; guards the fields below
	watch       *sqlite.Conn
	dataVersion int64
	epoch       string
	seq         int64
	loaded      bool
	reloads     int // full reloads so far, for tests (export_test.go)

	mu   sync.RWMutex // guards the data; scans hold it for reading
	ids  []string     // lowercase UUIDs, for the id tie-break
	rids []int64
	vecs [][]float32 // unit length
	slot map[int64]int
}

func newVectorIndex(path string, flags sqlite.OpenFlags) *vectorIndex {
	return &vectorIndex{path: path, flags: flags, slot: map[int64]int{}}
}

// reset forgets everything (after a migration), so the next sync reloads.
func (x *vectorIndex) reset() {
	x.syncMu.Lock()
	defer x.syncMu.Unlock()
	x.loaded = false
	x.mu.Lock()
	x.ids, x.rids, x.vecs, x.slot = nil, nil, nil, map[int64]int{}
	x.mu.Unlock()
}

func (x *vectorIndex) close() error {
	x.syncMu.Lock()
	defer x.syncMu.Unlock()
	if x.watch == nil {
		return nil
	}
	err := x.watch.Close()
	x.watch = nil
	return err
}

// sync brings the index up to the database's last commit. done interrupts it.
func (x *vectorIndex) sync(done <-chan struct{}) error {
	x.syncMu.Lock()
	defer x.syncMu.Unlock()
	if x.watch == nil {
		conn, err := sqlite.OpenConn(x.path, x.flags)
		if err != nil {
			return fmt.Errorf("sqlitestore: open vector watch connection: %w", err)
		}
		conn.SetBusyTimeout(busyTimeout)
		x.watch = conn
	}
	x.watch.SetInterrupt(done)
	defer x.watch.SetInterrupt(nil)

	var dv int64
	if _, err := queryOne(x.watch, "PRAGMA data_version", func(stmt *sqlite.Stmt) error {
		dv = stmt.ColumnInt64(0)
		return nil
	}); err != nil {
		return err
	}
	if x.loaded && dv == x.dataVersion {
		return nil
	}
	err := inTx(x.watch, "BEGIN", func(conn *sqlite.Conn) error {
		var epoch string
		var pruned, maxSeq int64
		if _, err := queryOne(conn, `SELECT s.epoch, s.pruned_through, (SELECT coalesce(max(seq), 0) FROM vector_log)
				FROM vector_log_state s WHERE s.id = 1`, func(stmt *sqlite.Stmt) error {
			epoch, pruned, maxSeq = stmt.ColumnText(0), stmt.ColumnInt64(1), stmt.ColumnInt64(2)
			return nil
		}); err != nil {
			return err
		}
		// An empty (just trimmed) log still stands at pruned_through: seq is AUTOINCREMENT,
		// so the next entry comes after it. An index already there has missed nothing.
		maxSeq = max(maxSeq, pruned)
		switch {
		case !x.loaded || epoch != x.epoch || pruned > x.seq || maxSeq < x.seq:
			if err := x.reload(conn); err != nil {
				return err
			}
		case maxSeq > x.seq:
			if err := x.replay(conn, x.seq); err != nil {
				return err
			}
		}
		x.epoch, x.seq, x.loaded = epoch, maxSeq, true
		return nil
	})
	if err != nil {
		return err
	}
	// Recorded after the snapshot was read: a commit in between is seen now and again next
	// time (a harmless replay), never missed.
	x.dataVersion = dv
	return nil
}

func (x *vectorIndex) reload(conn *sqlite.Conn) error {
	x.reloads++
	var ids []string
	var rids []int64
	var vecs [][]float32
	err := query(conn, `SELECT rid, id, embedding FROM memories WHERE embedding IS NOT NULL`,
		func(stmt *sqlite.Stmt) error {
			v, err := colVector(stmt, 2)
			if err != nil {
				return err
			}
			if v = unit(v); v != nil {
				rids = append(rids, stmt.ColumnInt64(0))
				ids = append(ids, stmt.ColumnText(1))
				vecs = append(vecs, v)
			}
			return nil
		})
	if err != nil {
		return err
	}
	slot := make(map[int64]int, len(rids))
	for i, r := range rids {
		slot[r] = i
	}
	x.mu.Lock()
	x.ids, x.rids, x.vecs, x.slot = ids, rids, vecs, slot
	x.mu.Unlock()
	return nil
}

// replay applies the rows logged after seq: each is set to its current embedding, or removed
// when the memory or its embedding is gone.
func (x *vectorIndex) replay(conn *sqlite.Conn, seq int64) error {
	type change struct {
		rid int64
		id  string
		vec []float32
	}
	var changes []change
	err := query(conn, `SELECT l.rid, m.id, m.embedding
			FROM (SELECT DISTINCT rid FROM vector_log WHERE seq > ?1) l
			LEFT JOIN memories m ON m.rid = l.rid`,
		func(stmt *sqlite.Stmt) error {
			c := change{rid: stmt.ColumnInt64(0), id: stmt.ColumnText(1)}
			v, err := colVector(stmt, 2)
			c.vec = unit(v)
			changes = append(changes, c)
			return err
		}, seq)
	if err != nil {
		return err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, c := range changes {
		if c.vec == nil {
			x.remove(c.rid)
			continue
		}
		if i, ok := x.slot[c.rid]; ok {
			x.ids[i], x.vecs[i] = c.id, c.vec
			continue
		}
		x.slot[c.rid] = len(x.rids)
		x.rids = append(x.rids, c.rid)
		x.ids = append(x.ids, c.id)
		x.vecs = append(x.vecs, c.vec)
	}
	return nil
}

// remove swaps the last slot into rid's place.
func (x *vectorIndex) remove(rid int64) {
	i, ok := x.slot[rid]
	if !ok {
		return
	}
	last := len(x.rids) - 1
	x.rids[i], x.ids[i], x.vecs[i] = x.rids[last], x.ids[last], x.vecs[last]
	x.slot[x.rids[i]] = i
	x.rids, x.ids, x.vecs = x.rids[:last], x.ids[:last], x.vecs[:last]
	delete(x.slot, rid)
}

// unit returns v scaled to length 1, or nil for nil or the zero vector (which has no
// direction: pgvector's HNSW index leaves such rows out of cosine searches too).
func unit(v []float32) []float32 {
	var sum float64
	for _, f := range v {
		sum += float64(f) * float64(f)
	}
	if sum == 0 || math.IsNaN(sum) || math.IsInf(sum, 0) {
		return nil
	}
	inv := 1 / math.Sqrt(sum)
	out := make([]float32, len(v))
	for i, f := range v {
		out[i] = float32(float64(f) * inv)
	}
	return out
}
