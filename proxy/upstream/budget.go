package upstream

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"
)

// One budget for response headers per client request. A hung upstream must not
// hold a client for header_timeout on every retry: every attempt of Do, its backoff
// waits, and every other upstream request made for the same client request (a HEAD
// before a GET, the next upstream of a group) share upstream.header_timeout from the
// moment the budget started. Only the wait for headers of reads is bounded: a body
// that is arriving is never cut by it.

type budgetKey struct{}

// WithHeaderBudget starts the header budget of everything done under ctx now. Do
// without one starts a budget of its own.
func WithHeaderBudget(ctx context.Context) context.Context {
	return context.WithValue(ctx, budgetKey{}, time.Now())
}

// headerDeadline is when the headers of a request made now under ctx must be in.
func (u *Upstream) headerDeadline(ctx context.Context) time.Time {
	start, ok := ctx.Value(budgetKey{}).(time.Time)
	if !ok {
		start = time.Now()
	}
	return start.Add(u.headerBudget)
}

// ErrHeaderBudget: the upstream sent no response headers within the budget. It
// wraps context.DeadlineExceeded, so it reads as a timeout.
type ErrHeaderBudget struct{ Budget time.Duration }

func (e *ErrHeaderBudget) Error() string {
	return fmt.Sprintf("upstream sent no response headers within upstream.header_timeout (%v, retries included)", e.Budget)
}

func (e *ErrHeaderBudget) Unwrap() error { return context.DeadlineExceeded }

// withinBudget runs send (every attempt of one request) under a context that is
// cancelled if no response has come back by the deadline. Once one has, the
// context lives until its body is closed, so a slow body is never cut.
func (u *Upstream) withinBudget(req *http.Request, send func(*http.Request) (*http.Response, error)) (*http.Response, error) {
	if u.headerBudget <= 0 || (req.Method != http.MethodGet && req.Method != http.MethodHead) {
		// A request with a body gets its headers only once the body is sent, which
		// takes as long as the upload does: the transport's per-attempt header
		// timeout, counted from the end of the body, is its bound.
		return send(req)
	}
	ctx, cancel := context.WithCancel(req.Context())
	const waiting, answered, expired = 0, 1, 2
	var state atomic.Int32
	timer := time.AfterFunc(time.Until(u.headerDeadline(req.Context())), func() {
		if state.CompareAndSwap(waiting, expired) {
			cancel()
		}
	})
	resp, err := send(req.WithContext(ctx))
	timer.Stop()
	if !state.CompareAndSwap(waiting, answered) {
		if resp != nil {
			resp.Body.Close()
		}
		cancel()
		return nil, &ErrHeaderBudget{Budget: u.headerBudget}
	}
	if err != nil {
		cancel()
		return resp, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// cancelOnClose releases a request's context once its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}
