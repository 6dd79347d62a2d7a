package proxy

import (
	"context"
	"errors"
	"net"

	"hoard/cache"
	"hoard/proxy/upstream"
)

// isTimeout reports whether err means the upstream did not answer in time.
func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// publicReason says why a fill failed in words safe for a client: no upstream URL
// (which could carry a signed query) and no internal detail.
func publicReason(err error) string {
	var over *overLimit
	var budget *upstream.ErrHeaderBudget
	switch {
	case errors.As(err, &budget):
		return budget.Error()
	case isDiskFull(err):
		return "the cache's disk is full"
	case errors.Is(err, upstream.ErrBreakerOpen):
		return "upstream unavailable (circuit breaker open)"
	case errors.Is(err, cache.ErrVerify):
		return "upstream content failed verification"
	case errors.As(err, &over):
		return over.Error()
	case errors.Is(err, cache.ErrTooLarge):
		return "artifact is over cache.max_artifact_size"
	case errors.Is(err, errBadBody):
		return "upstream sent something other than the artifact"
	case errors.Is(err, errNoUpstream):
		return errNoUpstream.Error()
	case isTimeout(err):
		return "upstream timed out"
	}
	return "upstream unreachable or broke off the transfer"
}
