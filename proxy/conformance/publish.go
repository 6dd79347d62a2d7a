package conformance

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"hoard/formats"
)

// checkHostilePublish: a format that parses publish bodies accepts the valid one
// and refuses, without panicking, what a hostile or broken client sends: truncated
// bodies, bodies of the wrong shape, deep nesting, bad bytes, and the format's own
// HostilePublish. What it accepts carries only attachments with safe keys.
func checkHostilePublish(t T, s Subject) {
	t.Helper()
	f := s.New()
	pp, ok := f.(formats.PublishParser)
	if !ok {
		if s.Publish != nil {
			t.Errorf("a Publish is described, but the format parses no publish body")
		}
		return
	}
	if s.Publish == nil {
		t.Errorf("the format parses publish bodies, but no Publish is described")
		return
	}
	rt, err := route(f, *s.Publish)
	if err != nil || rt.Kind != formats.Publish || !rt.ParseBody {
		t.Errorf("%s: routed as %v (parse body %v, %v), want a publish whose body is parsed", describe(*s.Publish), rt.Kind, rt.ParseBody, err)
		return
	}
	valid := s.Publish.Body
	if atts, err := parse(t, pp, rt, valid); err != nil {
		t.Errorf("the valid publish body is refused: %v", err)
	} else {
		checkAttachments(t, "the valid publish body", atts)
	}
	mustRefuse := append([][]byte{}, s.HostilePublish...)
	for _, n := range []int{0, 1, len(valid) / 3, len(valid) / 2, len(valid) - 1} {
		if n < len(valid) {
			mustRefuse = append(mustRefuse, valid[:n]) // truncated
		}
	}
	mustRefuse = append(mustRefuse, []byte("null"), []byte("[]"), []byte(`"x"`), []byte("0"),
		[]byte(strings.Repeat("[", 100_000)), []byte(strings.Repeat(`{"a":`, 50_000)), []byte("\xff\xfe\x00"))
	for i, body := range mustRefuse {
		if atts, err := parse(t, pp, rt, body); err == nil {
			t.Errorf("hostile body %d (%s) accepted with %d attachments", i, preview(body), len(atts))
		}
	}
	// Bodies that need not be refused, but must not break the parser or smuggle
	// an attachment out of its place.
	odd := [][]byte{
		bytes.Replace(valid, []byte(`"`), []byte(`"\u0000`), 1),
		bytes.Replace(valid, []byte(`{`), []byte(`{"__proto__":{"a":1},`), 1),
		append(append([]byte{}, valid...), valid...),
		bytes.ReplaceAll(valid, []byte("1"), []byte("1e400")),
	}
	for i, body := range odd {
		if atts, err := parse(t, pp, rt, body); err == nil {
			checkAttachments(t, fmt.Sprintf("odd body %d (%s)", i, preview(body)), atts)
		}
	}
}

// parse is ParsePublish with a panic reported as a failure (and read as a refusal).
func parse(t T, pp formats.PublishParser, rt formats.Route, body []byte) (atts []formats.Attachment, err error) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Errorf("ParsePublish panicked on %s: %v", preview(body), p)
			atts, err = nil, errPanicked
		}
	}()
	return pp.ParsePublish(rt, body)
}

var errPanicked = errors.New("panicked")

func checkAttachments(t T, what string, atts []formats.Attachment) {
	t.Helper()
	for _, a := range atts {
		if !safeKey(a.Key) || a.Data == nil {
			t.Errorf("%s: attachment with key %q and %d bytes", what, a.Key, len(a.Data))
		}
	}
}

func preview(b []byte) string {
	if len(b) > 40 {
		return fmt.Sprintf("%q... (%d bytes)", b[:40], len(b))
	}
	return fmt.Sprintf("%q", b)
}
