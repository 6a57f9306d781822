package runtime

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"slices"
)

// The wire format of the messages between gateway and worker. Each message
// starts with a version byte, then its fields in a fixed order. A string
// or byte field is a uvarint length and the bytes; an integer is a varint
// (zigzag) or uvarint; a header is a uvarint count of keys, each key a
// string followed by a uvarint count of values and the values. Keys are
// written in sorted order so equal messages encode to equal bytes.
//
//	request:  version fluxion hasKey key partition method requestURI
//	          proto major minor host remoteAddr header contentLength
//	          transferEncoding tls deadline body
//	response: version outcome status header trailer flushed
//	          interim-count (status header)... body

// wireVersion is the first byte of every message; it changes when the
// format does.
const wireVersion = 2

// errWire is wrapped by every decoding error.
var errWire = errors.New("malformed message")

// A wireRequest is an HTTP request as the gateway forwards it.
type wireRequest struct {
	Fluxion string

	// HasKey, Key and Partition are what the gateway computed for a
	// keyed fluxion; the worker persists under this key, never one of
	// its own making.
	HasKey    bool
	Key       string
	Partition int

	Method           string
	RequestURI       string
	Proto            string
	ProtoMajor       int
	ProtoMinor       int
	Host             string
	RemoteAddr       string
	Header           http.Header
	ContentLength    int64
	TransferEncoding []string
	TLS              bool
	Deadline         int64 // Unix nanoseconds; 0 for none
	Body             []byte
}

// An outcome says how a worker's run of the handler ended.
type outcome uint8

// The outcomes a response can carry.
const (
	outcomeOK       outcome = iota // the handler returned; the response is complete
	outcomeAborted                 // the handler panicked; abort the client's connection
	outcomeTooLarge                // the response did not fit in a message
	outcomeMax
)

// A wireResponse is what a worker recorded from the handler.
type wireResponse struct {
	Outcome outcome
	Status  int
	Header  http.Header
	Trailer http.Header // keys as the gateway sets them after the body
	Flushed bool        // the handler flushed before returning
	Interim []interim   // informational responses, in order
	Body    []byte
}

// An interim is an informational (1xx) response a handler sent before
// its final one, with the header as it was then.
type interim struct {
	Status int
	Header http.Header
}

// appendRequest appends the encoding of r to b.
func appendRequest(b []byte, r *wireRequest) []byte {
	b = append(b, wireVersion)
	b = appendString(b, r.Fluxion)
	b = appendBool(b, r.HasKey)
	b = appendString(b, r.Key)
	b = binary.AppendVarint(b, int64(r.Partition))
	b = appendString(b, r.Method)
	b = appendString(b, r.RequestURI)
	b = appendString(b, r.Proto)
	b = binary.AppendVarint(b, int64(r.ProtoMajor))
	b = binary.AppendVarint(b, int64(r.ProtoMinor))
	b = appendString(b, r.Host)
	b = appendString(b, r.RemoteAddr)
	b = appendHeader(b, r.Header)
	b = binary.AppendVarint(b, r.ContentLength)
	b = appendStrings(b, r.TransferEncoding)
	b = appendBool(b, r.TLS)
	b = binary.AppendVarint(b, r.Deadline)
	return appendString(b, string(r.Body))
}

// decodeRequest decodes a request encoded by appendRequest. The body
// aliases b.
func decodeRequest(b []byte) (*wireRequest, error) {
	d := decoder{b: b}
	d.version()
	r := &wireRequest{
		Fluxion:    d.string(),
		HasKey:     d.bool(),
		Key:        d.string(),
		Partition:  d.int(),
		Method:     d.string(),
		RequestURI: d.string(),
		Proto:      d.string(),
		ProtoMajor: d.int(),
		ProtoMinor: d.int(),
		Host:       d.string(),
		RemoteAddr: d.string(),
		Header:     d.header(),
	}
	r.ContentLength = d.varint()
	r.TransferEncoding = d.strings()
	r.TLS = d.bool()
	r.Deadline = d.varint()
	r.Body = d.bytes()
	return r, d.finish("request")
}

// appendResponse appends the encoding of r to b.
func appendResponse(b []byte, r *wireResponse) []byte {
	b = append(b, wireVersion, byte(r.Outcome))
	b = binary.AppendVarint(b, int64(r.Status))
	b = appendHeader(b, r.Header)
	b = appendHeader(b, r.Trailer)
	b = appendBool(b, r.Flushed)
	b = binary.AppendUvarint(b, uint64(len(r.Interim)))
	for _, in := range r.Interim {
		b = binary.AppendVarint(b, int64(in.Status))
		b = appendHeader(b, in.Header)
	}
	return appendString(b, string(r.Body))
}

// decodeResponse decodes a response encoded by appendResponse. The body
// aliases b.
func decodeResponse(b []byte) (*wireResponse, error) {
	d := decoder{b: b}
	d.version()
	r := &wireResponse{Outcome: outcome(d.byte())}
	if r.Outcome >= outcomeMax && d.err == nil {
		d.err = fmt.Errorf("%w: outcome %d", errWire, r.Outcome)
	}
	r.Status = d.int()
	if r.Outcome == outcomeOK && (r.Status < 100 || r.Status > 999) && d.err == nil {
		d.err = fmt.Errorf("%w: status %d", errWire, r.Status)
	}
	r.Header = d.header()
	r.Trailer = d.header()
	r.Flushed = d.bool()
	r.Interim = d.interim()
	r.Body = d.bytes()
	return r, d.finish("response")
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendStrings(b []byte, ss []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(ss)))
	for _, s := range ss {
		b = appendString(b, s)
	}
	return b
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

// appendHeader writes h with its keys sorted. A nil and an empty header
// encode alike.
func appendHeader(b []byte, h http.Header) []byte {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for _, k := range keys {
		b = appendString(b, k)
		b = appendStrings(b, h[k])
	}
	return b
}

// A decoder reads fields from b; after the first error every read returns
// a zero value and err keeps that first error.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: truncated or invalid %s", errWire, what)
	}
	d.b = nil
}

func (d *decoder) version() {
	if v := d.byte(); v != wireVersion && d.err == nil {
		d.err = fmt.Errorf("%w: version %d, want %d", errWire, v, wireVersion)
	}
}

func (d *decoder) byte() byte {
	if len(d.b) == 0 {
		d.fail("byte")
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

func (d *decoder) bool() bool {
	switch d.byte() {
	case 0:
		return false
	case 1:
		return true
	}
	d.fail("bool")
	return false
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("uvarint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail("varint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

// int reads a varint that must fit in 32 bits (statuses, versions).
func (d *decoder) int() int {
	v := d.varint()
	if int64(int32(v)) != v {
		d.fail("int")
		return 0
	}
	return int(v)
}

// count reads a length or count that cannot exceed the bytes left, since
// each element takes at least one byte; this bounds every allocation.
func (d *decoder) count() int {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail("length")
		return 0
	}
	return int(n)
}

func (d *decoder) bytes() []byte {
	n := d.count()
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) string() string {
	return string(d.bytes())
}

func (d *decoder) strings() []string {
	n := d.count()
	if n == 0 {
		return nil
	}
	ss := make([]string, n)
	for i := range ss {
		ss[i] = d.string()
	}
	return ss
}

func (d *decoder) header() http.Header {
	n := d.count()
	h := make(http.Header, n)
	for range n {
		k := d.string()
		h[k] = d.strings()
	}
	return h
}

// interim reads informational responses; each status must be 1xx.
func (d *decoder) interim() []interim {
	n := d.count()
	if n == 0 {
		return nil
	}
	ins := make([]interim, n)
	for i := range ins {
		ins[i] = interim{Status: d.int(), Header: d.header()}
		if s := ins[i].Status; (s < 100 || s > 199) && d.err == nil {
			d.err = fmt.Errorf("%w: interim status %d", errWire, s)
		}
	}
	return ins
}

// finish reports the first error, or trailing bytes after the last field.
func (d *decoder) finish(what string) error {
	if d.err == nil && len(d.b) > 0 {
		d.err = fmt.Errorf("%w: %d trailing bytes", errWire, len(d.b))
	}
	if d.err != nil {
		return fmt.Errorf("decode %s: %w", what, d.err)
	}
	return nil
}
