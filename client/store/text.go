package store

// ValidateText refuses text a backend could not store exactly (a NUL byte, invalid UTF-8),
// naming the field. For keys and labels outside the Validate* functions: model names, ids
// used in lookups, edge types.
func ValidateText(field, s string) error { return checkText(field, s) }
