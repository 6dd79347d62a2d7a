package proxy

import "net/http"

// statusNotAvailable answers a request Hoard cannot serve now and has no copy for:
// offline, or with the upstream's breaker open. It must end the client's attempt at
// once. Every 5xx is retried by npm (for about 70 s with its default backoff), and
// 502, 503 and 504 by crane; Maven retries 429 and 503, and caches a 404 as "does
// not exist" until its update interval or -U, which would outlive a reconnection.
// 409 is retried by none of them and cached by none; its message says why.
const statusNotAvailable = http.StatusConflict

const (
	msgOffline       = "not available offline: the gateway is offline and does not have this content cached"
	msgOfflineSend   = "not available offline: the gateway is offline and sends nothing upstream"
	msgBreakerNoCopy = "not available now: the upstream keeps failing (circuit breaker open) and the gateway has no cached copy"
)

// failNotAvailable answers with statusNotAvailable and why.
func (e *engine) failNotAvailable(w http.ResponseWriter, r *http.Request, m *mount, msg string) {
	e.fail(w, r, m, statusNotAvailable, msg)
}
