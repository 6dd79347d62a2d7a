// Command origin serves a directory as a static package-registry upstream, for
// benchmarks and manual runs against hoard. GET /-/requests prints how many requests
// the origin itself has served (that one excluded), and GET /-/requests?path=/a/b how
// many were for that path, so a benchmark can tell hits from misses without scraping
// logs.
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"strings"
	"time"

	"hoard/bench/internal/daemon"
	"hoard/bench/origin"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:8081", "address to listen on")
	root := flag.String("root", "", "directory to serve (required)")
	writeDir := flag.String("write-dir", "", "directory receiving PUTs; empty refuses them")
	latency := flag.Duration("latency", 0, "delay before each answer")
	rate := flag.Int64("bytes-per-second", 0, "cap on each response body's rate; 0 is unlimited")
	dirIndex := flag.String("dir-index", "", "file served for a request naming a directory that holds it (a document that is also its files' parent)")
	fullSpeed := flag.String("full-speed", "", "comma-separated URL path prefixes whose bodies are never paced")
	auth := flag.String("auth", "", `"user:pass" required for PUT`)
	readAuth := flag.Bool("read-auth", false, "require the -auth credentials for GET and HEAD too")
	checksums := flag.Bool("checksums", true, "answer X.sha1, X.md5, ... from X when the tree has none")
	flag.Parse()
	if *root == "" {
		flag.Usage()
		os.Exit(2)
	}

	o := origin.New(origin.Options{
		Root: *root, WriteDir: *writeDir, Latency: *latency,
		BytesPerSecond: *rate, FullSpeed: prefixes(*fullSpeed), DirIndex: *dirIndex, RequireAuth: *auth, ReadAuth: *readAuth, Checksums: *checksums,
	})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /-/requests", func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.Query().Get("path"); p != "" {
			fmt.Fprintln(w, o.RequestsFor(p))
			return
		}
		fmt.Fprintln(w, o.Requests())
	})
	mux.Handle("/", o)

	srv := &http.Server{Addr: *listen, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	log.Printf("origin: serving %s on http://%s", *root, *listen)
	if err := daemon.Serve(srv); err != nil {
		log.Fatal(err)
	}
}

func prefixes(list string) []string {
	var out []string
	for _, p := range strings.Split(list, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
