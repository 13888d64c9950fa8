-- `at` is bounded as client/store/limits.go bounds stored times (years 0001 to 9999): past
-- them the difference of two timestamps overflows (an infinite `at` raises "cannot subtract
-- infinite timestamps", a very distant one silently wraps around to a wrong R). NULL means
-- now(), as the default does.
CREATE FUNCTION vestige_retrievability(memory_id uuid, at timestamptz DEFAULT now())
RETURNS double precision
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    r double precision;
    t constant timestamptz := coalesce(vestige_retrievability.at, now());
BEGIN
    -- The message starts with the argument's name: the Go client reads it as the field.
    IF NOT (t >= '0001-01-01 00:00:00.000001+00'::timestamptz AND t <= '9999-12-31 23:59:59.999999+00'::timestamptz) THEN
        RAISE EXCEPTION 'at % is outside the stored range 0001-01-01 to 9999-12-31', t USING ERRCODE = 'VS006';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM memories m WHERE m.id = vestige_retrievability.memory_id) THEN
        RAISE EXCEPTION 'memory % not found', vestige_retrievability.memory_id USING ERRCODE = 'VS005';
    END IF;
    SELECT vestige_forgetting_curve(s.stability,
               extract(epoch FROM (t - s.last_review)) / 86400.0,
               p.weights[21])
      INTO r
      FROM scheduling s, fsrs_parameters p
     WHERE s.memory_id = vestige_retrievability.memory_id AND s.last_review IS NOT NULL;
    RETURN coalesce(r, 1.0);
END;
$$;

COMMENT ON FUNCTION vestige_retrievability(uuid, timestamptz) IS
'Live FSRS retrievability of a memory at a time (default, or NULL: now()), with fractional elapsed days since its last review. A memory never reviewed (a new card) has 1. Raises VS005 for an unknown memory, VS006 for an `at` outside 0001-01-01..9999-12-31 (UTC).';
