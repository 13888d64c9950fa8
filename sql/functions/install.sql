-- The vestige SQL API as a tern code package. Generated: do not edit; after changing a file
-- here, bump pgstore.APIVersion and run
--   go test ./client/store/pgstore -run TestInstallSQLIsCurrent -update
-- `tern code install sql/functions` and `vestige schema up` both run this file, rendered by tern, in one
-- transaction, after the migrations (sql/migrations) are applied.
SELECT set_config('vestige.install_api_version', '6', true),
       set_config('vestige.install_hash', '5856d6446a79c5f264e2e3148940b0b7a4a7c5088889f7419694e5f0940946db', true);
{{ template "000_install_begin.sql" . }}
{{ template "010_forgetting_curve.sql" . }}
{{ template "011_retrievability.sql" . }}
{{ template "020_ensure_embedding_model.sql" . }}
{{ template "029_fts_terms.sql" . }}
{{ template "030_fts_query.sql" . }}
{{ template "031_filter_clause.sql" . }}
{{ template "032_fts_postings.sql" . }}
{{ template "032_fts_ranked.sql" . }}
{{ template "033_vector_ranked.sql" . }}
{{ template "034_filter_selectivity.sql" . }}
{{ template "039_fusion_defaults.sql" . }}
{{ template "040_search.sql" . }}
{{ template "041_fts_search.sql" . }}
{{ template "042_vector_search.sql" . }}
{{ template "050_classify.sql" . }}
{{ template "060_neighbors.sql" . }}
{{ template "070_due.sql" . }}
{{ template "080_stats.sql" . }}
{{ template "090_review.sql" . }}
{{ template "999_install_end.sql" . }}
