package runtime

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"
)

// The codec is the byte format of persisted state, written by the
// encoders liquefy generates for each state type. It has no field names
// or type tags: a decoder reads the values back in the order the encoder
// wrote them, so the generated encode and decode functions of a type must
// call the methods in the same order. Each value is:
//
//	Int      zigzag varint
//	Uint     uvarint
//	Len      uvarint
//	Float    8 bytes, little-endian IEEE 754 bits
//	Bool     one byte, 0 or 1
//	Present  one byte, 0 or 1
//	String   uvarint length, then the bytes
//	Bytes    uvarint length, then the bytes
//	Time     uvarint length, then time.Time.MarshalBinary's bytes
//
// The format is part of what a bucket holds across restarts and
// upgrades: changing it, or the order a generated type writes its
// fields in, needs a new bucket.

// ErrCodec is wrapped by every error a Decoder reports.
var ErrCodec = errors.New("malformed state encoding")

// An Encoder appends values to a byte slice for persisted state. The zero
// value is ready to use. An Encoder is not safe for concurrent use.
type Encoder struct {
	b   []byte
	err error
}

// NewEncoder returns an Encoder that appends to buf, which may be nil.
func NewEncoder(buf []byte) *Encoder {
	return &Encoder{b: buf}
}

// Int appends a signed integer.
func (e *Encoder) Int(v int64) {
	e.b = binary.AppendVarint(e.b, v)
}

// Uint appends an unsigned integer.
func (e *Encoder) Uint(v uint64) {
	e.b = binary.AppendUvarint(e.b, v)
}

// Float appends a floating-point number, bit for bit (NaNs included).
func (e *Encoder) Float(v float64) {
	e.b = binary.LittleEndian.AppendUint64(e.b, math.Float64bits(v))
}

// Bool appends a boolean.
func (e *Encoder) Bool(v bool) {
	e.b = appendBool(e.b, v)
}

// String appends a string.
func (e *Encoder) String(v string) {
	e.b = appendString(e.b, v)
}

// Bytes appends a byte slice; nil and empty encode alike (use Present
// first where the difference matters).
func (e *Encoder) Bytes(v []byte) {
	e.b = binary.AppendUvarint(e.b, uint64(len(v)))
	e.b = append(e.b, v...)
}

// Len appends the length of a slice or map, or any count that the
// elements following it obey. It panics on a negative n, which no length
// can be.
func (e *Encoder) Len(n int) {
	if n < 0 {
		panic(fmt.Sprintf("liquefy: Encoder.Len(%d): negative length", n))
	}
	e.b = binary.AppendUvarint(e.b, uint64(n))
}

// Present appends whether an optional value (a pointer, an interface, a
// nil-able slice or map) is there; the value follows only when it is.
func (e *Encoder) Present(v bool) {
	e.b = appendBool(e.b, v)
}

// Time appends t as time.Time.MarshalBinary encodes it: the instant and
// the zone offset, without the monotonic reading or the location's name.
// A t whose offset MarshalBinary refuses is stored in UTC and the error
// is kept for Err.
func (e *Encoder) Time(t time.Time) {
	data, err := t.MarshalBinary()
	if err != nil {
		e.setErr(fmt.Errorf("encode time: %w", err))
		data, _ = t.UTC().MarshalBinary()
	}
	e.Bytes(data)
}

// Data returns the bytes appended so far. It aliases the Encoder's
// buffer until the next append.
func (e *Encoder) Data() []byte {
	return e.b
}

// Err returns the first value the Encoder could not encode faithfully,
// or nil. The bytes are always decodable.
func (e *Encoder) Err() error {
	return e.err
}

func (e *Encoder) setErr(err error) {
	if e.err == nil {
		e.err = err
	}
}

// A Decoder reads back values an Encoder wrote, in the same order. Its
// error is sticky: after the first malformed or missing value every
// method returns the zero value and Err reports that first error. It never
// panics on bad input, and no length it returns exceeds the bytes left,
// so a corrupt length cannot make the caller allocate more than the input
// holds. A Decoder is not safe for concurrent use.
type Decoder struct {
	b   []byte
	err error
}

// NewDecoder returns a Decoder that reads data. Strings and byte slices
// it returns are copies, so data may be reused afterwards.
func NewDecoder(data []byte) *Decoder {
	return &Decoder{b: data}
}

// Int reads a signed integer.
func (d *Decoder) Int() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail("int")
		return 0
	}
	d.b = d.b[n:]
	return v
}

// Uint reads an unsigned integer.
func (d *Decoder) Uint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("uint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

// Float reads a floating-point number.
func (d *Decoder) Float() float64 {
	if len(d.b) < 8 {
		d.fail("float")
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(d.b))
	d.b = d.b[8:]
	return v
}

// Bool reads a boolean; a byte other than 0 or 1 is an error.
func (d *Decoder) Bool() bool {
	return d.flag("bool")
}

// Present reads whether an optional value follows.
func (d *Decoder) Present() bool {
	return d.flag("presence flag")
}

// String reads a string. (Its signature makes a *Decoder a fmt.Stringer
// by accident: printing a Decoder consumes a value.)
func (d *Decoder) String() string {
	return string(d.raw("string"))
}

// Bytes reads a byte slice into a new slice; an empty one is returned as
// nil.
func (d *Decoder) Bytes() []byte {
	raw := d.raw("bytes")
	if len(raw) == 0 {
		return nil
	}
	return append([]byte(nil), raw...)
}

// Len reads a length. A length above the bytes left is an error, since
// each element takes at least one byte; types whose elements can encode
// to nothing must write something per element (a Present(true), say).
func (d *Decoder) Len() int {
	n := d.Uint()
	if n > uint64(len(d.b)) {
		d.fail("length")
		return 0
	}
	return int(n)
}

// Time reads a time written by Encoder.Time.
func (d *Decoder) Time() time.Time {
	raw := d.raw("time")
	if d.err != nil {
		return time.Time{}
	}
	var t time.Time
	if err := t.UnmarshalBinary(raw); err != nil {
		d.fail("time")
		return time.Time{}
	}
	return fixNegativeSeconds(t, raw)
}

// fixNegativeSeconds corrects the zone of a time whose offset has a
// negative seconds part (local mean time west of Greenwich, before time
// zones): MarshalBinary writes those seconds as a signed byte, which
// UnmarshalBinary reads back unsigned. The instant is right either way.
func fixNegativeSeconds(t time.Time, raw []byte) time.Time {
	if len(raw) != 16 || raw[0] != 2 || int8(raw[15]) >= 0 {
		return t
	}
	offset := int(int16(raw[13])<<8|int16(raw[14]))*60 + int(int8(raw[15]))
	return t.In(time.FixedZone("", offset))
}

// Err returns the first decoding error, or nil.
func (d *Decoder) Err() error {
	return d.err
}

// Finish returns the first decoding error or, if there is none, an error
// when bytes are left over after the last value; generated decoders call
// it after reading a whole entry.
func (d *Decoder) Finish() error {
	if d.err == nil && len(d.b) > 0 {
		d.err = fmt.Errorf("%w: %d bytes left after the last value", ErrCodec, len(d.b))
	}
	return d.err
}

// raw reads a length-prefixed run of bytes, aliasing the input.
func (d *Decoder) raw(what string) []byte {
	n, k := binary.Uvarint(d.b)
	if k <= 0 || n > uint64(len(d.b)-k) {
		d.fail(what)
		return nil
	}
	v := d.b[k : k+int(n)]
	d.b = d.b[k+int(n):]
	return v
}

// flag reads a byte that must be 0 or 1.
func (d *Decoder) flag(what string) bool {
	if len(d.b) == 0 || d.b[0] > 1 {
		d.fail(what)
		return false
	}
	v := d.b[0] == 1
	d.b = d.b[1:]
	return v
}

// fail records the first error and stops all further reads.
func (d *Decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: truncated or invalid %s", ErrCodec, what)
	}
	d.b = nil
}
