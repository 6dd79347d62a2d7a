// Package loadgen is Hoard's benchmark load generator: a minimal HTTP/1.1 client over
// keep-alive connections, cheap enough per request that the server under test, not
// the generator, is what a 2-core machine spends its time on; a fixed-duration
// closed-loop runner; a herd of clients released at once; and a latency histogram.
// Every server in a comparison is driven by the same code, so the numbers compare.
package loadgen

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// Conn is one keep-alive HTTP/1.1 connection to a server. It is not safe for
// concurrent use.
type Conn struct {
	addr   string
	header string // extra request header lines, each ending in \r\n
	c      net.Conn
	br     *bufio.Reader
	req    []byte
	// deadline bounds every read and write; zero means none.
	deadline time.Time
}

// SetDeadline bounds every later exchange on c, across redials.
func (c *Conn) SetDeadline(t time.Time) {
	c.deadline = t
	if c.c != nil {
		c.c.SetDeadline(t)
	}
}

// readBuf is large so a 50 MB body costs few read calls.
const readBuf = 256 << 10

// Dial opens a connection to addr (host:port). header holds extra request
// header lines ("Accept: application/json\r\n"), sent with every request.
func Dial(addr, header string) (*Conn, error) {
	c := &Conn{addr: addr, header: header}
	return c, c.redial()
}

func (c *Conn) redial() error {
	if c.c != nil {
		c.c.Close()
		c.c = nil
	}
	nc, err := net.DialTimeout("tcp", c.addr, 5*time.Second)
	if err != nil {
		return err
	}
	c.c = nc
	if !c.deadline.IsZero() {
		nc.SetDeadline(c.deadline)
	}
	if c.br == nil {
		c.br = bufio.NewReaderSize(nc, readBuf)
	} else {
		c.br.Reset(nc)
	}
	return nil
}

// Close closes the connection.
func (c *Conn) Close() error {
	if c.c == nil {
		return nil
	}
	err := c.c.Close()
	c.c = nil
	return err
}

// Result is one exchange.
type Result struct {
	Status int
	Bytes  int64         // body bytes received
	TTFB   time.Duration // request written -> first response byte
	Total  time.Duration // request written -> last body byte
}

// Get sends GET path and reads the whole response, discarding the body. After a
// transport error, or when the server closes the connection, the next Get redials.
func (c *Conn) Get(path string) (Result, error) {
	if c.c == nil {
		if err := c.redial(); err != nil {
			return Result{}, err
		}
	}
	c.req = append(c.req[:0], "GET "...)
	c.req = append(c.req, path...)
	c.req = append(c.req, " HTTP/1.1\r\nHost: "...)
	c.req = append(c.req, c.addr...)
	c.req = append(c.req, "\r\nUser-Agent: hoardbench\r\n"...)
	c.req = append(c.req, c.header...)
	c.req = append(c.req, "\r\n"...)
	start := time.Now()
	if _, err := c.c.Write(c.req); err != nil {
		c.Close()
		return Result{}, err
	}
	res, keep, err := c.read(start)
	if err != nil || !keep {
		c.Close()
	}
	return res, err
}

var (
	hdrContentLength    = []byte("content-length")
	hdrTransferEncoding = []byte("transfer-encoding")
	hdrConnection       = []byte("connection")
)

func (c *Conn) read(start time.Time) (res Result, keep bool, err error) {
	if _, err = c.br.Peek(1); err != nil {
		return res, false, err
	}
	res.TTFB = time.Since(start)
	line, err := c.br.ReadSlice('\n')
	if err != nil {
		return res, false, err
	}
	// "HTTP/1.1 200 OK"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return res, false, fmt.Errorf("bad status line %q", line)
	}
	res.Status, err = strconv.Atoi(string(line[9:12]))
	if err != nil {
		return res, false, fmt.Errorf("bad status line %q", line)
	}
	keep = line[7] == '1'
	length, chunked := int64(-1), false
	for {
		line, err = c.br.ReadSlice('\n')
		if err != nil {
			return res, false, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, hdrContentLength):
			length, err = strconv.ParseInt(string(value), 10, 64)
			if err != nil {
				return res, false, fmt.Errorf("bad Content-Length %q", value)
			}
		case bytes.EqualFold(name, hdrTransferEncoding):
			chunked = bytes.Contains(bytes.ToLower(value), []byte("chunked"))
		case bytes.EqualFold(name, hdrConnection):
			if bytes.EqualFold(value, []byte("close")) {
				keep = false
			}
		}
	}
	switch {
	case res.Status == 204 || res.Status == 304 || res.Status/100 == 1:
	case chunked:
		res.Bytes, err = c.readChunked()
	case length >= 0:
		var n int
		n, err = c.br.Discard(int(length))
		res.Bytes = int64(n)
	default: // body until close
		for err == nil {
			var n int
			n, err = c.br.Discard(readBuf)
			res.Bytes += int64(n)
		}
		if errors.Is(err, io.EOF) {
			err = nil
		}
		keep = false
	}
	res.Total = time.Since(start)
	return res, keep && err == nil, err
}

func (c *Conn) readChunked() (int64, error) {
	var total int64
	for {
		line, err := c.br.ReadSlice('\n')
		if err != nil {
			return total, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		size, err := strconv.ParseInt(string(bytes.TrimSpace(line)), 16, 64)
		if err != nil {
			return total, fmt.Errorf("bad chunk size %q", line)
		}
		if size == 0 {
			for { // trailers, then the empty line
				line, err := c.br.ReadSlice('\n')
				if err != nil {
					return total, err
				}
				if len(bytes.TrimRight(line, "\r\n")) == 0 {
					return total, nil
				}
			}
		}
		n, err := c.br.Discard(int(size))
		total += int64(n)
		if err != nil {
			return total, err
		}
		if _, err := c.br.Discard(2); err != nil {
			return total, err
		}
	}
}
