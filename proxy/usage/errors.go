package usage

import "time"

// Error is one request answered with a server-side failure: what the status
// page lists under recent errors. It carries the request's path, never its
// headers, so no credential reaches it.
type Error struct {
	At        time.Time `json:"at"`
	RequestID string    `json:"request_id"`
	Mount     string    `json:"mount,omitempty"`
	Method    string    `json:"method"`
	Path      string    `json:"path"`
	Status    int       `json:"status"`
}

// Failed records an error answer, keeping only the most recent ones.
func (c *Counter) Failed(e Error) {
	if e.At.IsZero() {
		e.At = c.errNow()
	}
	c.errMu.Lock()
	defer c.errMu.Unlock()
	c.errs[c.errN%recentErrors] = e
	c.errN++
}

// Errors returns the recent errors, newest first, and how many there were in all.
func (c *Counter) Errors() ([]Error, int) {
	c.errMu.Lock()
	defer c.errMu.Unlock()
	n := min(c.errN, recentErrors)
	out := make([]Error, 0, n)
	for i := 1; i <= n; i++ {
		out = append(out, c.errs[(c.errN-i)%recentErrors])
	}
	return out, c.errN
}
