package npm

import (
	"encoding/json"
	"strings"
	"testing"
)

// checkJSON runs the scanner over a whole document of any type.
func checkJSON(b []byte) error {
	s := scanner{b: b}
	s.ws()
	if err := s.skip(); err != nil {
		return err
	}
	if s.ws(); s.i != len(s.b) {
		return s.malformed()
	}
	return nil
}

var grammarCases = []string{
	`{}`, `[]`, `""`, `0`, `-0`, `-0.5e+10`, `1E5`, `12.25`, `true`, `false`, `null`,
	` {"a" : [1, 2 , {"b":null}] } `, `{"a":"\u00e9\n\t\"\\\/\b\f\r"}`, "\"caf\xc3\xa9\"", "\"\xff\"",
	`{"a":1,}`, `{,"a":1}`, `{"a" 1}`, `{"a":1 "b":2}`, `[1,]`, `[,1]`, `[1 2]`, `{"a":}`,
	`01`, `-`, `1.`, `.5`, `1e`, `1e+`, `+1`, `0x1`, `tru`, `truex`, `nul`, `NaN`,
	`"\x"`, `"\u12"`, `"\u12g4"`, "\"a\x01b\"", `"abc`, `{"a":1}x`, `{"a":1}}`, `[`, `]`, ``, ` `,
	`{"a":[1,[2,[3]]]}`, `{"a":{"b":{}}}`, `[[]]`, `[{}]`, `"\ud800"`,
	strings.Repeat("[", maxNesting) + strings.Repeat("]", maxNesting),
	strings.Repeat("[", maxNesting+1) + strings.Repeat("]", maxNesting+1),
}

// The scanner accepts exactly what json.Valid accepts: a rewrite no longer asks
// json.Valid first.
func TestScannerGrammarIsJSONs(t *testing.T) {
	for _, c := range grammarCases {
		if got, want := checkJSON([]byte(c)) == nil, json.Valid([]byte(c)); got != want {
			t.Errorf("%.60q: scanner accepts %v, json.Valid %v", c, got, want)
		}
	}
}

func FuzzScannerGrammar(f *testing.F) {
	for _, c := range grammarCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := checkJSON(b) == nil, json.Valid(b); got != want {
			t.Fatalf("%q: scanner accepts %v, json.Valid %v", b, got, want)
		}
	})
}
