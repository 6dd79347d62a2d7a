package proxy

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/prometheus/client_golang/prometheus"

	"hoard/configs"
	"hoard/formats"
)

// GitHub's package webhook: POST /-/hoard/webhook/github takes the package and
// registry_package events GitHub sends when a package version is published or
// updated, and expires that package's cached metadata in every mount of its format,
// so the next request revalidates it instead of waiting out its TTL. An event is a
// hint, not state: it changes no content and deletes no blob.

// webhookPath is where GitHub delivers; "-" can never be a mount's name.
const webhookPath = "/-/hoard/webhook/github"

// maxWebhookBody is GitHub's own cap on a delivery's payload (25 MB).
const maxWebhookBody = 25 << 20

// defaultDeliveries is how many delivery ids are remembered to refuse replays.
const defaultDeliveries = 10_000

// Webhook results, as counted and answered.
const (
	hookExpired      = "expired"
	hookIgnored      = "ignored"
	hookPing         = "ping"
	hookDuplicate    = "duplicate"
	hookBadSignature = "bad_signature"
	hookMalformed    = "malformed"
)

// webhook is the endpoint's state.
type webhook struct {
	secret []byte
	seen   *lru.Cache[string, struct{}] // delivery ids handled, bounded
	events *prometheus.CounterVec       // by event type and result
	server *Server
}

func newWebhook(s *Server, c configs.Webhook) (*webhook, error) {
	secret, err := c.ReadSecret()
	if err != nil || secret == nil {
		return nil, err
	}
	n := c.Deliveries
	if n == 0 {
		n = defaultDeliveries
	}
	seen, err := lru.New[string, struct{}](n)
	if err != nil {
		return nil, err
	}
	h := &webhook{secret: secret, seen: seen, server: s, events: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hoard_webhook_events_total", Help: "GitHub webhook deliveries by event type and result.",
	}, []string{"event", "result"})}
	s.metrics.registry.MustRegister(h.events)
	return h, nil
}

// ServeHTTP checks the signature over the raw body before reading anything of it,
// then the delivery id, then the event.
func (h *webhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	event := r.Header.Get("X-GitHub-Event")
	body, err := io.ReadAll(io.LimitReader(r.Body, maxWebhookBody+1))
	if err != nil || len(body) > maxWebhookBody {
		h.answer(w, event, http.StatusRequestEntityTooLarge, hookMalformed, 0)
		return
	}
	if !validSignature(h.secret, body, r.Header.Get("X-Hub-Signature-256")) {
		h.answer(w, event, http.StatusUnauthorized, hookBadSignature, 0)
		return
	}
	delivery := r.Header.Get("X-GitHub-Delivery")
	if delivery == "" || len(delivery) > 128 {
		h.answer(w, event, http.StatusBadRequest, hookMalformed, 0)
		return
	}
	if h.seen.Contains(delivery) {
		h.answer(w, event, http.StatusOK, hookDuplicate, 0)
		return
	}
	status, result, n := h.handle(event, body)
	if status == http.StatusOK {
		h.seen.Add(delivery, struct{}{})
	}
	h.answer(w, event, status, result, n)
}

// handle acts on a verified delivery: the status, the result and how many cache
// entries it expired.
func (h *webhook) handle(event string, body []byte) (int, string, int) {
	switch event {
	case "ping":
		return http.StatusOK, hookPing, 0
	case "package", "registry_package":
	default:
		return http.StatusOK, hookIgnored, 0
	}
	p, err := parsePackageEvent(event, body)
	if err != nil {
		return http.StatusBadRequest, hookMalformed, 0
	}
	if p.action != "published" && p.action != "updated" {
		return http.StatusOK, hookIgnored, 0
	}
	format, ok := formatOfEcosystem(p.ecosystem)
	if !ok {
		return http.StatusOK, hookIgnored, 0
	}
	n := h.server.engine.expireChange(h.server.mountsOf(format), p.change)
	return http.StatusOK, hookExpired, n
}

func (h *webhook) answer(w http.ResponseWriter, event string, status int, result string, expired int) {
	switch event { // the label takes only known values: the header is anyone's to set
	case "ping", "package", "registry_package":
	default:
		event = "other"
	}
	h.events.WithLabelValues(event, result).Inc()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"result": result, "expired": expired})
}

// validSignature compares X-Hub-Signature-256 ("sha256=" and the hex HMAC-SHA256 of
// the raw body under the secret) in constant time.
func validSignature(secret, body []byte, header string) bool {
	sig, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return false
	}
	got, err := hex.DecodeString(sig)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}

// mountsOf lists the mounts of a format.
func (s *Server) mountsOf(format string) []*mount {
	var out []*mount
	for _, m := range s.mounts {
		if m.format.Name() == format {
			out = append(out, m)
		}
	}
	return out
}

// formatOfEcosystem maps GitHub's package types to Hoard's format names.
func formatOfEcosystem(eco string) (string, bool) {
	switch strings.ToLower(eco) {
	case "npm":
		return "npm", true
	case "maven":
		return "maven", true
	case "nuget":
		return "nuget", true
	case "rubygems":
		return "rubygems", true
	case "docker", "container":
		return "oci", true
	}
	return "", false
}

// expireChange expires what a package change makes stale in each mount, and forgets
// the upstream 404s remembered for it. It returns how many entries it expired.
func (e *engine) expireChange(mounts []*mount, c formats.PackageChange) int {
	n := 0
	for _, m := range mounts {
		ex, ok := m.format.(formats.ChangeExpirer)
		if !ok {
			continue
		}
		for _, p := range ex.ExpireKeys(c) {
			for _, key := range e.keysOf(m, p) {
				e.fills.supersede(key) // a fill begun before the change must not commit
				if ok, err := e.store.Expire(key); err != nil {
					e.log.Warn().Err(err).Str("key", key).Msg("webhook: expiring")
				} else if ok {
					n++
				}
			}
			e.forgetMissing(m, p)
		}
	}
	return n
}

// maxExpiredPerPattern bounds one pattern's scan of the index.
const maxExpiredPerPattern = 10_000

// keysOf lists the cached keys of m a pattern names.
func (e *engine) keysOf(m *mount, p formats.KeyPattern) []string {
	if p.Exact {
		return []string{m.cacheKey(p.Prefix)}
	}
	all, err := e.store.KeysWithPrefix(m.cacheKey(p.Prefix), maxExpiredPerPattern)
	if err != nil {
		e.log.Warn().Err(err).Msg("webhook: listing keys")
		return nil
	}
	var out []string
	for _, k := range all {
		if strings.HasSuffix(k, p.Suffix) {
			out = append(out, k)
		}
	}
	return out
}

// forgetMissing drops remembered upstream 404s a pattern names: a package just
// published must not stay "not found" for the negative TTL.
func (e *engine) forgetMissing(m *mount, p formats.KeyPattern) {
	if e.negative == nil {
		return
	}
	if p.Exact {
		e.negative.Remove(m.cacheKey(p.Prefix))
		return
	}
	prefix := m.cacheKey(p.Prefix)
	for _, k := range e.negative.Keys() {
		if strings.HasPrefix(k, prefix) && strings.HasSuffix(k, p.Suffix) {
			e.negative.Remove(k)
		}
	}
}
