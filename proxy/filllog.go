package proxy

import (
	"net/http"
	"time"
)

// Debug lines on the fill path: what was asked of which upstream, what came back
// and how long it took. zerolog's Debug() is a no-op below debug level, so these
// cost nothing in production.

func (e *engine) logFillStart(key string, spec fillSpec) {
	e.log.Debug().Str("mount", spec.mount.name).Str("key", key).Str("path", spec.route.Path).
		Bool("revalidating", spec.stale != nil).Bool("private", spec.private).Msg("fill started")
}

func (e *engine) logUpstreamAnswer(key string, spec fillSpec, resp *http.Response, source string, err error) {
	ev := e.log.Debug().Str("mount", spec.mount.name).Str("key", key).Str("path", spec.route.Path).
		Float64("took_ms", ms(e.now().Sub(spec.began)))
	if err != nil {
		ev.Err(err).Msg("fill got no upstream answer")
		return
	}
	ev.Str("upstream", source).Int("status", resp.StatusCode).Int64("content_length", resp.ContentLength).Msg("upstream answered")
}

// ms is a duration in milliseconds, for fields named *_ms.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
