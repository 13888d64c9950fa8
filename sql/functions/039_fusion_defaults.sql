-- The fusion weights vestige_search uses when the caller names none, as a function of the
-- registered model's name alone (no state: the rule is code, the same as the Go twin
-- store.FusionDefaults). The hash embedders (hash-*) make a weak lexical signal that, at equal
-- weight, pushes relevant memories below where full text alone puts them (SciFact nDCG@10
-- 0.56 against 0.70, LoCoMo 0.40 against 0.52; any weight from 0.02 up still lowers it, 0.01
-- and below changes nothing): their vector branch weighs 0, that is, it is not run. Every
-- other model is taken as semantic, and both branches count equally.
CREATE FUNCTION vestige_fusion_defaults(model_name text)
RETURNS TABLE (fts_weight double precision, vector_weight double precision)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT 1.0::double precision,
           CASE WHEN starts_with(coalesce(model_name, ''), 'hash-') THEN 0.0 ELSE 1.0 END::double precision
$$;

COMMENT ON FUNCTION vestige_fusion_defaults(text) IS
'The default branch weights of a hybrid vestige_search for a registered model name: (1, 0) for the hash embedders (hash-*), whose vector branch would lower the search below full text alone, and (1, 1) for every other model (NULL included).';
