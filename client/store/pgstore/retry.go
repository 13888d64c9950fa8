package pgstore

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Retries of work the server rolled back whole because of a concurrent transaction
// (40001 serialization_failure, 40P01 deadlock_detected). A single statement outside a
// transaction and a transaction run again from its BEGIN are both safe to replay: nothing of
// the failed attempt was committed. Bounded: maxAttempts tries, waiting a jittered, doubling
// backoff between them, at most maxBackoff, and never past the caller's deadline.
const (
	maxAttempts  = 5
	firstBackoff = 10 * time.Millisecond
	maxBackoff   = 250 * time.Millisecond
)

// onRetry, when set (by tests), sees each error that is about to be retried.
var onRetry atomic.Pointer[func(error)]

// retryable reports whether err is a conflict whose work the server rolled back whole. 40003
// (statement_completion_unknown) is not: the work may have committed.
func retryable(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (pg.Code == "40001" || pg.Code == "40P01")
}

// retry runs fn until it succeeds, fails with an error that is not retryable, runs out of
// attempts, or ctx ends. fn must be safe to replay whole: one statement, or one transaction.
func retry(ctx context.Context, fn func() error) error {
	backoff := firstBackoff
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil || attempt == maxAttempts || !retryable(err) {
			return err
		}
		if f := onRetry.Load(); f != nil {
			(*f)(err)
		}
		// Full jitter: two clients that deadlocked on each other must not retry in step.
		wait := time.Duration(rand.Int64N(int64(backoff))) + time.Millisecond
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		backoff = min(2*backoff, maxBackoff)
	}
}
