package sqlitestore

import (
	"container/heap"
	"runtime"
	"slices"
	"sync"

	"github.com/vestige-mem/vestige/client/embedder"
)

// hit is one scanned vector: its memory id and cosine distance to the query.
type hit struct {
	id   string
	dist float64
}

// closer is the branch's order: distance, then id (vestige_vector_ranked's ORDER BY).
func closer(a, b hit) bool {
	return a.dist < b.dist || (a.dist == b.dist && a.id < b.id)
}

// minChunk is the fewest vectors worth a goroutine of their own.
const minChunk = 4096

// nearest returns the k stored vectors nearest to q (unit length), nearest first. allow, when
// not nil, limits the scan to those rows (the ones passing a filter): the scan is exact, so a
// filtered page is always full when enough rows pass.
func (x *vectorIndex) nearest(q []float32, k int, allow []int64) []hit {
	x.mu.RLock()
	defer x.mu.RUnlock()
	var slots []int
	n := len(x.vecs)
	if allow != nil {
		slots = make([]int, 0, len(allow))
		for _, r := range allow {
			if i, ok := x.slot[r]; ok {
				slots = append(slots, i)
			}
		}
		n = len(slots)
	}
	workers := max(1, min(runtime.GOMAXPROCS(0), n/minChunk))
	parts := make([]topK, workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*n/workers, (w+1)*n/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := topK{k: k}
			for j := lo; j < hi; j++ {
				i := j
				if slots != nil {
					i = slots[j]
				}
				v := x.vecs[i]
				if len(v) != len(q) {
					continue // a vector of another model, mid re-embed
				}
				// pgvector: distance = 1 - clamp(cosine, -1, 1).
				t.offer(hit{id: x.ids[i], dist: 1 - min(max(embedder.Dot(q, v), -1), 1)})
			}
			parts[w] = t
		}()
	}
	wg.Wait()
	all := parts[0]
	for _, p := range parts[1:] {
		for _, h := range p.hits {
			all.offer(h)
		}
	}
	out := all.hits
	slices.SortFunc(out, func(a, b hit) int {
		if closer(a, b) {
			return -1
		}
		if closer(b, a) {
			return 1
		}
		return 0
	})
	return out
}

// topK keeps the k closest hits seen; hits is a heap with the farthest at the root.
type topK struct {
	k    int
	hits []hit
}

func (t *topK) offer(h hit) {
	if len(t.hits) < t.k {
		heap.Push(t, h)
		return
	}
	if t.k > 0 && closer(h, t.hits[0]) {
		t.hits[0] = h
		heap.Fix(t, 0)
	}
}

func (t *topK) Len() int           { return len(t.hits) }
func (t *topK) Less(i, j int) bool { return closer(t.hits[j], t.hits[i]) }
func (t *topK) Swap(i, j int)      { t.hits[i], t.hits[j] = t.hits[j], t.hits[i] }
func (t *topK) Push(v any)         { t.hits = append(t.hits, v.(hit)) }
func (t *topK) Pop() any {
	h := t.hits[len(t.hits)-1]
	t.hits = t.hits[:len(t.hits)-1]
	return h
}
