package fsrs

import "math"

// The FSRS-6 formulas, one function each, named after py-fsrs 6.3.2's Scheduler methods. The
// operand order follows py-fsrs so that results agree to the last bit or two, and the
// PL/pgSQL twin follows this file. exp(x) stands for py-fsrs' math.e ** x.

// clampStability floors S at 0.001 (STABILITY_MIN) so that S^−w and t/S stay finite; there is
// no ceiling — a very stable memory is capped by MaximumInterval, not by its stability.
func clampStability(s float64) float64 { return math.Max(s, stabilityMin) }

// clampDifficulty keeps D in [1, 10].
func clampDifficulty(d float64) float64 { return math.Min(math.Max(d, minDifficulty), maxDifficulty) }

// initialStability is S0(G) = w[G−1]: the first review's stability is a learned constant per
// rating.
func (p Parameters) initialStability(r Rating) float64 {
	return clampStability(p.Weights[r-1])
}

// initialDifficulty is D0(G) = w4 − exp(w5·(G−1)) + 1. The first review clamps it to [1, 10];
// nextDifficulty uses D0(Easy) unclamped as its mean-reversion target, as py-fsrs does.
func (p Parameters) initialDifficulty(r Rating, clamp bool) float64 {
	d := p.Weights[4] - math.Exp(p.Weights[5]*float64(r-1)) + 1
	if clamp {
		d = clampDifficulty(d)
	}
	return d
}

// linearDamping scales a difficulty change by (10 − D)/9, so that D approaches 10
// asymptotically instead of overshooting it.
func linearDamping(deltaDifficulty, difficulty float64) float64 {
	return (10.0 - difficulty) * deltaDifficulty / 9.0
}

// meanReversion pulls D towards D0(Easy) by the weight w7, so that a long run of one rating
// cannot pin a card at an extreme.
func (p Parameters) meanReversion(target, current float64) float64 {
	return p.Weights[7]*target + (1-p.Weights[7])*current
}

// nextDifficulty is D' = clamp(w7·D0(Easy) + (1 − w7)·(D + ΔD·(10 − D)/9)), ΔD = −w6·(G − 3).
// It runs after every review but the first, in every state, same-day or not.
func (p Parameters) nextDifficulty(difficulty float64, r Rating) float64 {
	target := p.initialDifficulty(Easy, false)
	delta := -(p.Weights[6] * float64(r-3))
	current := difficulty + linearDamping(delta, difficulty)
	return clampDifficulty(p.meanReversion(target, current))
}

// shortTermStability is the same-day update (elapsed days < 1, where the forgetting curve has
// nothing to say): S' = S · SInc, SInc = exp(w17·(G − 3 + w18)) · S^−w19.
//
// The Hard floor: SInc is floored at 1 for Hard, Good and Easy (rating ≥ 2), so a same-day
// success never lowers stability. This is the rule of py-fsrs 6.3.2 (PR #155), fsrs-rs and
// go-fsrs v4; py-fsrs up to 6.3.1 floored it for Good and Easy only (the vectors' "primary"
// variant, superseded by expected_hard_floor).
func (p Parameters) shortTermStability(stability float64, r Rating) float64 {
	inc := math.Exp(p.Weights[17]*(float64(r)-3+p.Weights[18])) * math.Pow(stability, -p.Weights[19])
	if r >= Hard {
		inc = math.Max(inc, 1.0)
	}
	return clampStability(stability * inc)
}

// nextRecallStability is the long-term update after a success (Hard, Good, Easy):
// S' = S · (1 + exp(w8) · (11 − D) · S^−w9 · (exp((1 − R)·w10) − 1) · hardPenalty · easyBonus),
// hardPenalty = w15 for Hard else 1, easyBonus = w16 for Easy else 1. The lower R was (the
// later the review), the larger the gain: the spacing effect.
func (p Parameters) nextRecallStability(difficulty, stability, retrievability float64, r Rating) float64 {
	hardPenalty, easyBonus := 1.0, 1.0
	if r == Hard {
		hardPenalty = p.Weights[15]
	}
	if r == Easy {
		easyBonus = p.Weights[16]
	}
	return stability * (1 +
		math.Exp(p.Weights[8])*
			(11-difficulty)*
			math.Pow(stability, -p.Weights[9])*
			(math.Exp((1-retrievability)*p.Weights[10])-1)*
			hardPenalty*
			easyBonus)
}

// nextForgetStability is the post-lapse stability (Again after a day or more):
// min(w11 · D^−w12 · ((S + 1)^w13 − 1) · exp((1 − R)·w14),  S / exp(w17·w18)).
// The second term (py-fsrs' "short-term params" cap, new in FSRS-6) is S·exp(−w17·w18) ≤ S, so
// a lapse never raises stability however high the long-term formula would put it.
func (p Parameters) nextForgetStability(difficulty, stability, retrievability float64) float64 {
	longTerm := p.Weights[11] *
		math.Pow(difficulty, -p.Weights[12]) *
		(math.Pow(stability+1, p.Weights[13]) - 1) *
		math.Exp((1-retrievability)*p.Weights[14])
	shortTerm := stability / math.Exp(p.Weights[17]*p.Weights[18])
	return math.Min(longTerm, shortTerm)
}

// nextStability is the long-term update (elapsed days ≥ 1): forget stability for Again, recall
// stability otherwise, floored at 0.001.
func (p Parameters) nextStability(difficulty, stability, retrievability float64, r Rating) float64 {
	var s float64
	if r == Again {
		s = p.nextForgetStability(difficulty, stability, retrievability)
	} else {
		s = p.nextRecallStability(difficulty, stability, retrievability, r)
	}
	return clampStability(s)
}

// Retrievability is the FSRS-6 power forgetting curve R(t, S) = (1 + FACTOR·t/S)^DECAY with
// DECAY = −w20 and FACTOR = 0.9^(1/DECAY) − 1, so R(S, S) = 0.9. t is in days and may be
// fractional here (the live R of a query); the scheduler itself only ever passes whole days.
// stability must be positive; a negative t is the caller's bug and is not clamped.
func (p Parameters) Retrievability(stability, elapsedDays float64) float64 {
	return math.Pow(1+p.factor()*elapsedDays/stability, p.decay())
}

// nextIntervalRaw inverts the forgetting curve: the t at which R falls to the desired retention,
// S/FACTOR · (DR^(1/DECAY) − 1), before rounding (the vectors' interval_raw_days).
func (p Parameters) nextIntervalRaw(stability float64) float64 {
	return (stability / p.factor()) * (math.Pow(p.DesiredRetention, 1/p.decay()) - 1)
}

// NextInterval is the Review-state interval in whole days for a stability: nextIntervalRaw
// rounded half to even (Python's round(), which py-fsrs uses), then clamped to
// [1, MaximumInterval] — at least a day, since a sub-day interval is what the (re)learning
// steps are for.
func (p Parameters) NextInterval(stability float64) int {
	days := math.RoundToEven(p.nextIntervalRaw(stability))
	days = math.Max(days, 1)
	days = math.Min(days, float64(p.MaximumInterval))
	return int(days)
}
