-- FSRS-6 power forgetting curve. Plain SQL so the planner inlines it into searches.
CREATE FUNCTION vestige_forgetting_curve(stability double precision, elapsed_days double precision, decay double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
    WHEN elapsed_days IS NULL OR elapsed_days <= 0 THEN 1.0
    WHEN stability IS NULL OR stability <= 0 THEN 0.0
    ELSE power(1.0 + (power(0.9, -1.0 / decay) - 1.0) * elapsed_days / stability, -decay)
END;

COMMENT ON FUNCTION vestige_forgetting_curve(double precision, double precision, double precision) IS
'FSRS-6 retrievability R(t, S) = (1 + f·t/S)^(-decay), f = 0.9^(-1/decay) - 1, with t in (fractional) days. t <= 0 gives 1; S <= 0 gives 0. decay is w20 of fsrs_parameters.';
