package proxy

import (
	"bytes"
	"io"
	"net/http"
)

// hotWriter serves a body held in memory (the hot tier) with as few write calls
// as possible. Through net/http's own ReadFrom, which sendfile needs for files,
// the headers are flushed in a write of their own and the bytes then copied in
// 32 KiB writes: a 1 KiB hit cost two syscalls and a 200 KiB one eight. Handed
// the whole slice in one Write, the server sends a small response with its
// headers in a single write when the handler returns, and a large one in two
// (one, through writeCoalesced).
type hotWriter struct{ http.ResponseWriter }

// ReadFrom is what http.ServeContent's copy calls. When it asks for everything
// left in the bytes.Reader (a full response, not a range), the bytes go out in one
// Write; otherwise they are copied through Write as usual.
func (h hotWriter) ReadFrom(src io.Reader) (int64, error) {
	if lr, ok := src.(*io.LimitedReader); ok {
		if br, ok := lr.R.(*bytes.Reader); ok && int64(br.Len()) == lr.N {
			n, err := br.WriteTo(h.ResponseWriter)
			lr.N -= n
			return n, err
		}
	}
	return io.Copy(writerOnly{h.ResponseWriter}, src)
}

// writerOnly hides every method but Write, so io.Copy cannot reach the wrapped
// writer's ReadFrom.
type writerOnly struct{ io.Writer }
