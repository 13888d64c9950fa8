package pgstore

// InterpretError lets the external tests check the mapping on errors raised by real SQL.
var InterpretError = interpretError
