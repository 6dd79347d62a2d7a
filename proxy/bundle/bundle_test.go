package bundle

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"hoard/cache"
	"hoard/formats/builtin"
)

var mounts = map[string]string{"npm": "npm", "maven": "maven"}

func openStore(t *testing.T) *cache.Store {
	t.Helper()
	s, err := cache.Open(cache.Options{Dir: t.TempDir(), Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func put(t *testing.T, s *cache.Store, key, body string, e cache.Entry) {
	t.Helper()
	w, err := s.NewWriter(cache.WriterOptions{ExpectedSize: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Cancel()
	w.Write([]byte(body))
	if e.FetchedAt.IsZero() {
		e.FetchedAt = time.Now()
	}
	if _, err := w.Commit(key, e); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, s *cache.Store, key string) (string, cache.Entry, bool) {
	t.Helper()
	e, err := s.Lookup(key)
	if err != nil {
		return "", e, false
	}
	f, err := s.OpenBlob(e)
	if err != nil {
		return "", e, false
	}
	defer f.Close()
	b, _ := io.ReadAll(f)
	return string(b), e, true
}

// source is a cache with entries of two mounts, one private, two sharing a blob.
func source(t *testing.T) *cache.Store {
	s := openStore(t)
	put(t, s, "npm/pkg/a", `{"name":"a"}`, cache.Entry{ContentType: "application/json", Mutable: true})
	put(t, s, "npm/tarball/a/-/a-1.0.0.tgz", "tarball a", cache.Entry{})
	put(t, s, "npm/tarball/@p/x/-/x-1.0.0.tgz", "private x", cache.Entry{Private: true, Source: "https://up.example"})
	put(t, s, "maven/com/acme/x/1.0/x-1.0.jar", "tarball a", cache.Entry{}) // same bytes, one blob
	put(t, s, "other/not-a-mount", "left behind", cache.Entry{})
	return s
}

func export(t *testing.T, s *cache.Store, key ed25519.PrivateKey, o ExportOptions) []byte {
	t.Helper()
	if o.Mounts == nil {
		o.Mounts = mounts
	}
	o.Now = time.Now()
	var raw, out bytes.Buffer
	if _, err := Export(context.Background(), s, o, &raw); err != nil {
		t.Fatal(err)
	}
	if _, err := Finish(&raw, &out, key, nil); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestExportImportRoundTrip(t *testing.T) {
	b := export(t, source(t), nil, ExportOptions{})
	dst := openStore(t)
	rep, err := Import(context.Background(), dst, ImportOptions{Mounts: mounts}, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Entries != 4 || rep.Added != 4 || rep.Blobs != 3 || rep.BlobsStored != 3 {
		t.Errorf("report %+v", rep)
	}
	body, e, ok := read(t, dst, "npm/tarball/@p/x/-/x-1.0.0.tgz")
	if !ok || body != "private x" || !e.Private || e.Source != "https://up.example" {
		t.Errorf("private entry after import: %q %+v", body, e)
	}
	if _, e, _ := read(t, dst, "npm/pkg/a"); !e.Mutable || e.ContentType != "application/json" {
		t.Errorf("metadata entry lost its fields: %+v", e)
	}
	if _, _, ok := read(t, dst, "other/not-a-mount"); ok {
		t.Error("an entry of no exported mount was carried")
	}
	// Twice: nothing changes.
	rep, err = Import(context.Background(), dst, ImportOptions{Mounts: mounts}, bytes.NewReader(b))
	if err != nil || rep.Added != 0 || rep.Replaced != 0 || rep.Unchanged != 4 || rep.BlobsStored != 0 {
		t.Errorf("second import %+v %v", rep, err)
	}
}

func TestImportRefusesForeignMount(t *testing.T) {
	b := export(t, source(t), nil, ExportOptions{})
	dst := openStore(t)
	rep, err := Import(context.Background(), dst, ImportOptions{Mounts: map[string]string{"npm": "npm", "maven": "oci"}}, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Refused != 1 || rep.Added != 3 || !strings.Contains(strings.Join(rep.Refusals, ""), "mount maven serves oci here") {
		t.Errorf("report %+v", rep)
	}
}

func TestDryRunChangesNothing(t *testing.T) {
	b := export(t, source(t), nil, ExportOptions{})
	dst := openStore(t)
	rep, err := Import(context.Background(), dst, ImportOptions{Mounts: mounts, DryRun: true}, bytes.NewReader(b))
	if err != nil || rep.Added != 4 || rep.BlobsStored != 0 {
		t.Fatalf("dry run %+v %v", rep, err)
	}
	if st := dst.Stats(); st.Entries != 0 || st.Bytes != 0 {
		t.Errorf("dry run changed the cache: %+v", st)
	}
}

func TestIncrementalSince(t *testing.T) {
	s := source(t)
	cut := time.Now()
	time.Sleep(10 * time.Millisecond)
	put(t, s, "npm/tarball/b/-/b-1.0.0.tgz", "tarball b", cache.Entry{})
	b := export(t, s, nil, ExportOptions{Since: cut})
	m, err := ParseManifest(manifestOf_(t, b))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Entries) != 1 || m.Entries[0].Key != "tarball/b/-/b-1.0.0.tgz" || m.Since.IsZero() {
		t.Errorf("incremental manifest %+v", m)
	}
}

func manifestOf_(t *testing.T, b []byte) []byte {
	tr := tar.NewReader(bytes.NewReader(b))
	if _, err := tr.Next(); err != nil {
		t.Fatal(err)
	}
	m, _ := io.ReadAll(tr)
	return m
}

// members splits a bundle into its members, to tamper with.
type member struct {
	name string
	body []byte
}

func members(t *testing.T, b []byte) []member {
	var out []member
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		out = append(out, member{h.Name, body})
	}
}

func pack(ms []member) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, m := range ms {
		tw.WriteHeader(&tar.Header{Name: m.name, Mode: 0o644, Size: int64(len(m.body)), Typeflag: tar.TypeReg})
		tw.Write(m.body)
	}
	tw.Close()
	return buf.Bytes()
}

func TestTamperedBundlesRefused(t *testing.T) {
	dir := t.TempDir()
	priv, pub := filepath.Join(dir, "k"), filepath.Join(dir, "k.pub")
	if err := GenerateKeys(priv, pub); err != nil {
		t.Fatal(err)
	}
	sk, _ := ReadPrivateKey(priv)
	pk, _ := ReadPublicKey(pub)
	otherPriv := filepath.Join(dir, "o")
	GenerateKeys(otherPriv, otherPriv+".pub")
	osk, _ := ReadPrivateKey(otherPriv)
	good := export(t, source(t), sk, ExportOptions{})
	ms := members(t, good)
	blob := len(ms) - 1
	cases := map[string]struct {
		bundle []byte
		want   string
	}{
		"flipped byte": {func() []byte {
			c := append([]member(nil), ms...)
			b := bytes.Clone(c[blob].body)
			b[0] ^= 1
			c[blob].body = b
			return pack(c)
		}(), "does not match its digest"},
		"missing blob":      {pack(append(append([]member(nil), ms[:2]...), ms[3:]...)), "is missing"},
		"changed manifest":  {pack(append([]member{{ms[0].name, bytes.Replace(ms[0].body, []byte("x-1.0.jar"), []byte("y-1.0.jar"), 1)}}, ms[1:]...)), "signature does not match"},
		"bad signature":     {pack(append([]member{ms[0], {SignatureName, Sign(osk, ms[0].body)}}, ms[2:]...)), "signature does not match"},
		"unsigned":          {pack(append([]member{ms[0]}, ms[2:]...)), "not signed"},
		"truncated":         {good[:len(good)-1024-512+4], "truncated"},
		"cut between blobs": {good[:len(good)-2048], "ends before it"},
		"foreign":           {pack([]member{{"index.json", []byte("{}")}}), "not a Hoard bundle"},
		"not a tar":         {[]byte("hello"), "not a tar bundle"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dst := openStore(t)
			_, err := Import(context.Background(), dst, ImportOptions{Mounts: mounts, Keys: []ed25519.PublicKey{pk}}, bytes.NewReader(c.bundle))
			var refused *RefusedError
			if !errors.As(err, &refused) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("import: %v, want a refusal saying %q", err, c.want)
			}
			if st := dst.Stats(); st.Entries != 0 {
				t.Errorf("a refused bundle published %d entries", st.Entries)
			}
			if rep, err := dst.GC(context.Background()); err != nil || rep.Removed != 0 {
				t.Errorf("a refused bundle left %d blobs behind (%v)", rep.Removed, err)
			}
		})
	}
	// The untouched bundle passes with the key.
	dst := openStore(t)
	rep, err := Import(context.Background(), dst, ImportOptions{Mounts: mounts, Keys: []ed25519.PublicKey{pk}}, bytes.NewReader(good))
	if err != nil || !rep.Verified || rep.Added != 4 {
		t.Errorf("good bundle: %+v %v", rep, err)
	}
}

func TestNewerLocalEntryKept(t *testing.T) {
	b := export(t, source(t), nil, ExportOptions{})
	dst := openStore(t)
	put(t, dst, "npm/pkg/a", `{"name":"a","newer":true}`, cache.Entry{Mutable: true, FetchedAt: time.Now().Add(time.Hour)})
	rep, err := Import(context.Background(), dst, ImportOptions{Mounts: mounts}, bytes.NewReader(b))
	if err != nil || rep.Kept != 1 || rep.Added != 3 {
		t.Fatalf("%+v %v", rep, err)
	}
	if body, _, _ := read(t, dst, "npm/pkg/a"); !strings.Contains(body, "newer") {
		t.Errorf("the newer local packument was replaced by the bundle's: %s", body)
	}
}

func TestImportPointsPackumentsAtThisSite(t *testing.T) {
	src := openStore(t)
	doc := `{"name":"a","versions":{"1.0.0":{"name":"a","version":"1.0.0","dist":{"tarball":"http://connected:8080/npm/a/-/a-1.0.0.tgz"}}}}`
	put(t, src, "npm/pkg/a", doc, cache.Entry{Mutable: true, ContentType: "application/json"})
	b := export(t, src, nil, ExportOptions{PublicURL: "http://connected:8080"})
	dst := openStore(t)
	o := ImportOptions{Mounts: mounts, PublicURL: "https://site.example", Formats: builtin.Formats()}
	rep, err := Import(context.Background(), dst, o, bytes.NewReader(b))
	if err != nil || rep.Rewritten != 1 || rep.Added != 1 {
		t.Fatalf("%+v %v", rep, err)
	}
	body, e, _ := read(t, dst, "npm/pkg/a")
	if !strings.Contains(body, `"https://site.example/npm/a/-/a-1.0.0.tgz"`) || !e.Mutable {
		t.Errorf("packument after import: %s %+v", body, e)
	}
	rep, err = Import(context.Background(), dst, o, bytes.NewReader(b))
	if err != nil || rep.Unchanged != 1 || rep.Rewritten != 0 {
		t.Errorf("second import is not a no-op: %+v %v", rep, err)
	}
}

func TestOCIKeys(t *testing.T) {
	hx := strings.Repeat("a", 64)
	for key, ok := range map[string]bool{
		"lib/app/manifests/v1":                true,
		"lib/app/manifests/v1#3":              true,
		"lib/app/manifests/sha256:" + hx:      true,
		"lib/app/blobs/sha256:" + hx:          true,
		"lib/app/tags/list":                   false,
		"../x/manifests/v1":                   false,
		"lib/app/manifests/..":                false,
		"lib/app/blobs/v1":                    false,
		"lib/app/manifests/sha256:../../../x": false,
	} {
		if _, _, _, got := ociKey(key); got != ok {
			t.Errorf("%s: %v, want %v", key, got, ok)
		}
	}
}
