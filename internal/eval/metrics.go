package eval

import (
	"math"
	"slices"
	"time"
)

// NDCG is nDCG@k with binary relevance: DCG = Σ rel_i / log2(i+1) over the first k results,
// divided by the DCG of an ideal ranking (every relevant document first).
func NDCG(got []string, relevant map[string]bool, k int) float64 {
	var dcg, ideal float64
	for i, id := range got[:min(k, len(got))] {
		if relevant[id] {
			dcg += 1 / math.Log2(float64(i+2))
		}
	}
	for i := range min(k, len(relevant)) {
		ideal += 1 / math.Log2(float64(i+2))
	}
	if ideal == 0 {
		return 0
	}
	return dcg / ideal
}

// Recall is recall@k: the share of the relevant documents among the first k results.
func Recall(got []string, relevant map[string]bool, k int) float64 {
	if len(relevant) == 0 {
		return 0
	}
	n := 0
	for _, id := range got[:min(k, len(got))] {
		if relevant[id] {
			n++
		}
	}
	return float64(n) / float64(len(relevant))
}

// Percentile is the p-th percentile (0..100, nearest rank) of ds.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}

// Agreement compares two backends' answers to the same queries: the share of queries whose
// top 1 is the same (both empty counts as the same) and the mean size of the shared top k.
func Agreement(a, b [][]string, k int) (sameTop1, meanShared float64) {
	if len(a) == 0 || len(a) != len(b) {
		return 0, 0
	}
	var same, shared int
	for i := range a {
		x, y := a[i][:min(k, len(a[i]))], b[i][:min(k, len(b[i]))]
		if (len(x) == 0 && len(y) == 0) || (len(x) > 0 && len(y) > 0 && x[0] == y[0]) {
			same++
		}
		for _, id := range x {
			if slices.Contains(y, id) {
				shared++
			}
		}
	}
	return float64(same) / float64(len(a)), float64(shared) / float64(len(a))
}
