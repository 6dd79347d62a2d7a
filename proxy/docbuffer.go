package proxy

import (
	"math/bits"
	"sync"
	"unsafe"
)

// docBuffers recycles the buffers documents of docBufferMin bytes or more are
// read into, by their rounded size (docClass), each pool holding *[]byte. A
// buffer allocated afresh is zeroed and faulted in page by page, and the
// runtime hands back to the system what it frees: on the virtual machines
// the benchmarks run on, a first touch costs about 15 µs a page, which was
// 15 to 30 ms of a 5 MB packument's cold miss.
var docBuffers sync.Map

// docBufferMin: smaller documents are read into a buffer of their own.
const docBufferMin = 64 << 10

// docClass is n rounded up to an eighth of its power of two: buffers are
// shared by documents within 12.5 % of each other's size.
func docClass(n int64) int64 {
	step := int64(1) << max(bits.Len64(uint64(n-1))-3, 0)
	return (n + step - 1) / step * step
}

// docBuffer is a buffer of n bytes for a document, recycled when one of its
// class is kept; nil for a small or unknown length.
func docBuffer(n int64) []byte {
	if n < docBufferMin {
		return nil
	}
	class := docClass(n)
	if pool, ok := docBuffers.Load(class); ok {
		if p, _ := pool.(*sync.Pool).Get().(*[]byte); p != nil {
			return (*p)[:n]
		}
	}
	return make([]byte, n, class)
}

// giveDocBuffer keeps buf, which docBuffer returned, for the next document of
// its class. Nothing may refer to its bytes any longer.
func giveDocBuffer(buf []byte) {
	if cap(buf) < docBufferMin || int64(cap(buf)) != docClass(int64(cap(buf))) {
		return
	}
	pool, _ := docBuffers.LoadOrStore(int64(cap(buf)), &sync.Pool{})
	buf = buf[:cap(buf)]
	pool.(*sync.Pool).Put(&buf)
}

// within reports whether b's bytes lie in buf's backing array: whether b is
// still in use when buf is.
func within(b, buf []byte) bool {
	if cap(b) == 0 || cap(buf) == 0 {
		return false
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(buf)))
	at := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return at >= start && at < start+uintptr(cap(buf))
}
