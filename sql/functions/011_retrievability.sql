CREATE FUNCTION vestige_retrievability(memory_id uuid, at timestamptz DEFAULT now())
RETURNS double precision
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    r double precision;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM memories m WHERE m.id = vestige_retrievability.memory_id) THEN
        RAISE EXCEPTION 'memory % not found', vestige_retrievability.memory_id USING ERRCODE = 'VS005';
    END IF;
    SELECT vestige_forgetting_curve(s.stability,
               extract(epoch FROM (vestige_retrievability.at - s.last_review)) / 86400.0,
               p.weights[21])
      INTO r
      FROM scheduling s, fsrs_parameters p
     WHERE s.memory_id = vestige_retrievability.memory_id AND s.last_review IS NOT NULL;
    RETURN coalesce(r, 1.0);
END;
$$;

COMMENT ON FUNCTION vestige_retrievability(uuid, timestamptz) IS
'Live FSRS retrievability of a memory at a time (default now()), with fractional elapsed days since its last review. A memory never reviewed (a new card) has 1. Raises VS005 for an unknown memory.';
