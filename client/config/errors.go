package config

import "errors"

// ErrInvalid is wrapped by every error that a fix to the configuration would cure (bad
// syntax, unknown key, bad value), so callers can tell those from I/O failures with
// errors.Is.
var ErrInvalid = errors.New("invalid config")

// FieldError names the key at fault, in dotted TOML form (storage.postgres.url), so a CLI or
// a test can point at it without parsing the message.
type FieldError struct {
	Key string
	Msg string
}

func (e *FieldError) Error() string { return e.Key + " " + e.Msg }

// Unwrap makes errors.Is(err, ErrInvalid) hold for every FieldError.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// invalidError carries a message that already says where the problem is (a syntax error
// with its file and line) while still matching ErrInvalid, without repeating its text.
type invalidError struct{ msg string }

func (e *invalidError) Error() string { return e.msg }
func (e *invalidError) Unwrap() error { return ErrInvalid }
