// Package concurrency_test runs DESIGN.md §8's mixed load on both backends: writers,
// searchers and 2 schedulers at once, with no error, no deadlock and every row present
// afterwards. The race pass runs a small load; the full 16 writers × 100 inserts with 4
// searchers runs in the non-race pass (build tag heavy), since -race slows the pure-Go SQLite
// engine about 25×.
package concurrency_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store"
	"github.com/vestige-mem/vestige/client/store/pgstore"
	"github.com/vestige-mem/vestige/client/store/sqlitestore"
	"github.com/vestige-mem/vestige/tests/testdb"
)

// scheduled is how many memories both schedulers write to.
const scheduled = 20

// load is the size of a mixed load.
type load struct{ writers, inserts, searchers int }

var sig = store.ModelSignature{Name: "concurrency-4", Dimension: 4, Hash: "concurrency-4-v1"}

func TestMixedLoad(t *testing.T) {
	runMixedLoad(t, load{writers: 4, inserts: 20, searchers: 2})
}

func runMixedLoad(t *testing.T, l load) {
	backends := map[string]func(t *testing.T) store.Store{
		"sqlite": func(t *testing.T) store.Store {
			s, err := sqlitestore.Open(context.Background(), filepath.Join(t.TempDir(), "vestige.db"))
			require.NoError(t, err)
			return s
		},
		"postgres": func(t *testing.T) store.Store {
			s, err := pgstore.Open(context.Background(), pgstore.Options{URL: testdb.New(t)})
			require.NoError(t, err)
			return s
		},
	}
	for name, open := range backends {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() { _ = s.Close() })
			mixedLoad(t, s, l)
		})
	}
}

func vec(i int) []float32 {
	return []float32{1, float32(i%7) / 7, float32(i%11) / 11, float32(i%13) / 13}
}

func mixedLoad(t *testing.T, s store.Store, l load) {
	writers, inserts, searchers := l.writers, l.inserts, l.searchers
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	require.NoError(t, s.EnsureModel(ctx, sig))
	var shared []uuid.UUID
	for i := range scheduled {
		m, err := s.Insert(ctx, store.Memory{Content: fmt.Sprintf("scheduled note %d", i), Embedding: vec(i)})
		require.NoError(t, err)
		shared = append(shared, m.ID)
	}

	var wg sync.WaitGroup
	errs := make(chan error, 64)
	report := func(err error) {
		if err != nil {
			select {
			case errs <- err:
			default:
			}
		}
	}
	written := make([][]uuid.UUID, writers)
	done := make(chan struct{})

	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range inserts {
				m, err := s.Insert(ctx, store.Memory{
					Content: fmt.Sprintf("writer %d note %d about concurrent rust traits", w, i),
					Tags:    []string{fmt.Sprintf("w%d", w)}, Embedding: vec(w*inserts + i),
				})
				if err != nil {
					report(fmt.Errorf("writer %d: %w", w, err))
					return
				}
				written[w] = append(written[w], m.ID)
			}
		}()
	}
	var readers sync.WaitGroup
	for r := range searchers {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				_, err := s.Search(ctx, store.SearchQuery{Text: "concurrent rust", Embedding: vec(r + i), Limit: 10})
				report(err)
				if err != nil {
					return
				}
			}
		}()
	}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	// Both schedulers finish their raw writes before either reviews, so that every review
	// starts from a row at 5 reps.
	var rawDone sync.WaitGroup
	rawDone.Add(2)
	for k := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			raw := func() error {
				defer rawDone.Done()
				for round := range 5 {
					for i, id := range shared {
						last := base.Add(time.Duration(round*100+i) * time.Minute)
						next := last.Add(time.Duration(k+1) * 24 * time.Hour)
						step := 0
						err := s.UpdateScheduling(ctx, store.SchedulingState{
							MemoryID: id, Stability: float64(k + 1), Difficulty: 5, Retrievability: 0.9,
							LastReview: &last, NextReview: &next, Reps: round + 1, State: 1, Step: &step,
						})
						if err != nil {
							return fmt.Errorf("scheduler %d: %w", k, err)
						}
					}
				}
				return nil
			}
			err := raw()
			rawDone.Wait()
			if err != nil {
				report(err)
				return
			}
			// Reviews on memories of their own, alongside everything else.
			for i := k; i < scheduled; i += 2 {
				if _, err := s.Review(ctx, shared[i], 3, base.Add(1000*time.Hour)); err != nil {
					report(fmt.Errorf("scheduler %d review: %w", k, err))
					return
				}
			}
		}()
	}
	wg.Wait()
	close(done)
	readers.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}

	n, err := s.Count(ctx)
	require.NoError(t, err)
	require.Equal(t, int64(scheduled+writers*inserts), n)
	for w, ids := range written {
		require.Len(t, ids, inserts, "writer %d", w)
		for _, id := range ids {
			_, err := s.Get(ctx, id)
			require.NoError(t, err)
		}
	}
	for _, id := range shared {
		st, err := s.GetScheduling(ctx, id)
		require.NoError(t, err)
		require.NotNil(t, st)
		require.Equal(t, 6, st.Reps, "5 raw writes then one review: the review saw the last write")
	}
	stats, err := s.Stats(ctx)
	require.NoError(t, err)
	require.Equal(t, int64(scheduled), stats.ReviewEvents)
}
