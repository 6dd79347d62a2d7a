package admission

import (
	"net"
	"net/http"

	"github.com/hashicorp/golang-lru/v2"
	"golang.org/x/time/rate"

	"hoard/policy"
)

// limitersKept bounds the per-token and per-address limiters held in memory; the
// least recently seen are forgotten (and start again with a full bucket).
const limitersKept = 50_000

// limiter applies per-token and per-address request rates.
type limiter struct {
	perToken, perAddr float64
	burst             int
	tokens, addrs     *lru.Cache[string, *rate.Limiter]
}

func newLimiter(perToken, perAddr float64, burst int) *limiter {
	l := &limiter{perToken: perToken, perAddr: perAddr, burst: burst}
	l.tokens, _ = lru.New[string, *rate.Limiter](limitersKept)
	l.addrs, _ = lru.New[string, *rate.Limiter](limitersKept)
	return l
}

// allow takes one request from the bucket of r's address and, when a token was
// sent, from the token's. The address is worked out only when addresses are limited.
func (l *limiter) allow(r *http.Request, token string) bool {
	if l.perAddr > 0 && !take(l.addrs, ClientAddr(r), l.perAddr, l.burst) {
		return false
	}
	if l.perToken > 0 && token != "" && !take(l.tokens, policy.Fingerprint(token), l.perToken, l.burst) {
		return false
	}
	return true
}

func take(c *lru.Cache[string, *rate.Limiter], key string, rps float64, burst int) bool {
	lim, ok := c.Get(key)
	if !ok {
		lim = rate.NewLimiter(rate.Limit(rps), burst)
		c.Add(key, lim)
	}
	return lim.Allow()
}

// ClientAddr is the peer's IP. Forwarded headers are not trusted: a client could set
// them to dodge its limit.
func ClientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
