package sqlitestore

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"zombiezen.com/go/sqlite"

	"github.com/vestige-mem/vestige/client/store"
)

// A review is atomic: when the event cannot be written, the scheduling row stays as it was
// (and a new card stays new).
func TestReviewIsAtomic(t *testing.T) {
	ctx := context.Background()
	s := openInternal(t)
	m, err := s.Insert(ctx, store.Memory{Content: "atomic review"})
	require.NoError(t, err)
	fresh, err := s.Insert(ctx, store.Memory{Content: "never reviewed"})
	require.NoError(t, err)
	t0 := time.Date(2026, 2, 1, 8, 0, 0, 0, time.UTC)
	_, err = s.Review(ctx, m.ID, 3, t0)
	require.NoError(t, err)
	before, err := s.GetScheduling(ctx, m.ID)
	require.NoError(t, err)

	require.NoError(t, s.write(ctx, func(conn *sqlite.Conn) error {
		return exec(conn, `CREATE TRIGGER fail_events BEFORE INSERT ON review_events
			BEGIN SELECT RAISE(ABORT, 'event insert refused by the test'); END`)
	}))
	_, err = s.Review(ctx, m.ID, 1, t0.Add(48*time.Hour))
	require.ErrorContains(t, err, "refused by the test")
	after, err := s.GetScheduling(ctx, m.ID)
	require.NoError(t, err)
	require.Equal(t, before, after, "the scheduling row is unchanged")
	_, err = s.Review(ctx, fresh.ID, 3, t0)
	require.Error(t, err)
	st, err := s.GetScheduling(ctx, fresh.ID)
	require.NoError(t, err)
	require.Nil(t, st, "a new card stays new")
	stats, err := s.Stats(ctx)
	require.NoError(t, err)
	require.Equal(t, int64(1), stats.ReviewEvents)
}
