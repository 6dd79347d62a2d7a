package main

import (
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/dustin/go-humanize"

	"hoard/proxy/admin"
	"hoard/proxy/bundle"
)

// repeated collects a repeatable string flag.
type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, ",") }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

// exportCmd asks the running daemon for a bundle and writes it to --out, signed
// here when --sign-key is given: the private key never reaches the daemon.
func exportCmd(args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	var a adminFlags
	a.register(fs)
	out := fs.String("out", "", "the bundle file to write (required)")
	var mounts repeated
	fs.Var(&mounts, "mount", "a mount to export; repeatable (default: every mount)")
	since := fs.String("since", "", "only entries fetched after this time (RFC 3339, or a date 2006-01-02): an incremental bundle")
	signKey := fs.String("sign-key", "", "an ed25519 private key (PKCS #8 PEM, from hoard keygen) to sign the manifest with")
	layout := fs.String("oci-layout", "", "instead of a bundle, write the OCI mounts' images as plain OCI image layouts under this directory (DIR/MOUNT/REPO), as zot serves them")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if (*out == "") == (*layout == "") {
		return errors.New("export: give --out FILE (a bundle) or --oci-layout DIR, one of them")
	}
	var key ed25519.PrivateKey
	if *signKey != "" {
		k, err := bundle.ReadPrivateKey(*signKey)
		if err != nil {
			return fmt.Errorf("export: --sign-key: %w", err)
		}
		key = k
	}
	q := url.Values{"mount": mounts}
	if *layout != "" && len(mounts) == 0 {
		q.Set("format", "oci")
	}
	if *since != "" {
		t, err := parseSince(*since)
		if err != nil {
			return err
		}
		q.Set("since", t.Format(time.RFC3339))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	resp, err := a.request(ctx, http.MethodGet, "/api/export?"+q.Encode(), nil, nil)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer resp.Body.Close()
	if *layout != "" {
		return writeLayout(*layout, resp.Body)
	}
	return writeBundle(*out, resp.Body, key)
}

// writeLayout writes the export's images as OCI image layouts under dir.
func writeLayout(dir string, body io.Reader) error {
	prog := newByteProgress(os.Stderr, "export", -1)
	var done, total int64
	rep, err := bundle.WriteOCILayout(body, dir, func(d, t int64) { done, total = d, t; prog.Update(d, t, d) })
	prog.Finish(done, total, done)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	fmt.Printf("export: %s: %d repositories, %d tags, %d blobs (%s) as OCI image layouts\n",
		dir, rep.Repositories, rep.Tags, rep.Blobs, humanize.IBytes(uint64(rep.Bytes)))
	return nil
}

func parseSince(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("export: --since %q is neither RFC 3339 (2006-01-02T15:04:05Z) nor a date (2006-01-02)", s)
}

// writeBundle writes to a temp file beside out and renames it into place only once
// every blob arrived whole: a bundle file is never a partial one.
func writeBundle(out string, body io.Reader, key ed25519.PrivateKey) error {
	f, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".partial-*")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer os.Remove(f.Name())
	prog := newByteProgress(os.Stderr, "export", -1)
	var done, total int64
	m, err := bundle.Finish(body, f, key, func(d, t int64) { done, total = d, t; prog.Update(d, t, d) })
	prog.Finish(done, total, done)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), out)
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	signed := "unsigned"
	if key != nil {
		signed = "signed"
	}
	fmt.Printf("export: %s: %d entries, %d blobs (%s), %s\n", out, len(m.Entries), len(m.Blobs), humanize.IBytes(uint64(total)), signed)
	return nil
}

// importCmd sends a bundle to the running daemon, which verifies it and publishes
// its entries; --dry-run reports what would change and changes nothing.
func importCmd(args []string) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	var a adminFlags
	a.register(fs)
	dry := fs.Bool("dry-run", false, "verify the bundle and report what would be added, replaced and refused; change nothing")
	verifyKey := fs.String("verify-key", "", "an ed25519 public key (PKIX PEM, the .pub of hoard keygen): the bundle must be signed by its private key")
	files, err := parseFlagsAndArgs(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return errors.New("import: name one bundle file: hoard import [--dry-run] [--verify-key FILE] BUNDLE")
	}
	header := http.Header{"Content-Type": {"application/x-tar"}}
	if *verifyKey != "" {
		k, err := bundle.ReadPublicKey(*verifyKey)
		if err != nil {
			return fmt.Errorf("import: --verify-key: %w", err)
		}
		der, err := x509.MarshalPKIXPublicKey(k)
		if err != nil {
			return fmt.Errorf("import: --verify-key: %w", err)
		}
		header.Set(admin.VerifyKeyHeader, base64.StdEncoding.EncodeToString(der))
	}
	f, err := os.Open(files[0])
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	prog := newByteProgress(os.Stderr, "import", st.Size())
	body := &progressReader{r: f, total: st.Size(), prog: prog}
	path := "/api/import"
	if *dry {
		path += "?dry_run=1"
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	resp, err := a.send(ctx, http.MethodPost, path, body, header)
	prog.Finish(body.n, st.Size(), body.n)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusUnprocessableEntity {
		return fmt.Errorf("import: %w", adminError(resp))
	}
	var ans admin.ImportAnswer
	if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil {
		return fmt.Errorf("import: the daemon's answer: %w", err)
	}
	if ans.Error != "" {
		return fmt.Errorf("import: %s: %s (nothing was imported)", files[0], ans.Error)
	}
	printImport(files[0], ans.Report)
	if ans.Report.Refused > 0 {
		return fmt.Errorf("import: %d entries refused (listed above)", ans.Report.Refused)
	}
	return nil
}

func printImport(file string, r bundle.Report) {
	verb := "imported"
	if r.DryRun {
		verb = "would import (dry run: nothing changed)"
	}
	sig := "unsigned"
	switch {
	case r.Verified:
		sig = "signature verified"
	case r.Signed:
		sig = "signed, signature not checked (no --verify-key)"
	}
	fmt.Printf("import: %s, exported %s, %s\n", file, r.ExportedAt.Format(time.RFC3339), sig)
	fmt.Printf("import: %s %d entries: %d added, %d replaced, %d unchanged, %d kept (newer here), %d refused; %d blobs (%s), %d stored; %d documents pointed at this site\n",
		verb, r.Entries, r.Added, r.Replaced, r.Unchanged, r.Kept, r.Refused, r.Blobs, humanize.IBytes(uint64(r.BlobBytes)), r.BlobsStored, r.Rewritten)
	if r.Seen > 0 {
		fmt.Printf("import: %d first-seen records (release times for the policy)\n", r.Seen)
	}
	for _, why := range r.Refusals {
		fmt.Printf("  refused %s\n", why)
	}
}

type progressReader struct {
	r     io.Reader
	n     int64
	total int64
	prog  *workProgress
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.n += int64(n)
	p.prog.Update(p.n, p.total, p.n)
	return n, err
}

// keygenCmd writes a new ed25519 key pair for signing bundles.
func keygenCmd(args []string) error {
	fs := flag.NewFlagSet("keygen", flag.ContinueOnError)
	out := fs.String("out", "", "the private key file to write (mode 0600); the public key goes to FILE.pub")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("keygen: --out FILE is required")
	}
	if err := bundle.GenerateKeys(*out, *out+".pub"); err != nil {
		return fmt.Errorf("keygen: %w", err)
	}
	fmt.Printf("keygen: private key %s (keep it on the connected side), public key %s.pub (give it to hoard import --verify-key or admin.verify_key)\n", *out, *out)
	return nil
}
