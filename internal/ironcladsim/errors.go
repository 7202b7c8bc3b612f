package ironcladsim

import "errors"

// Errors of the control operations. Wrapped errors name the id involved;
// test them with errors.Is. The /_sim/ API maps them to 404, 409 and 400.
var (
	ErrNotFound = errors.New("not found")
	ErrExists   = errors.New("already exists")
	ErrInvalid  = errors.New("invalid argument")
)
