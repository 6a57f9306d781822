package runtime

import (
	"bytes"
	"errors"
	"math"
	"testing"
	"time"
)

// codecValues is one of each kind of value the codec carries; a script
// of op bytes picks which to write and read, in order.
type codecValues struct {
	i  int64
	u  uint64
	f  float64
	b  bool
	s  string
	bs []byte
	t  time.Time
	n  int
}

// The ops a script byte selects, modulo codecOps.
const (
	opInt = iota
	opUint
	opFloat
	opBool
	opString
	opBytes
	opTime
	opLen
	opPresent
	codecOps
)

func encodeScript(e *Encoder, ops []byte, v codecValues) {
	for _, op := range ops {
		switch op % codecOps {
		case opInt:
			e.Int(v.i)
		case opUint:
			e.Uint(v.u)
		case opFloat:
			e.Float(v.f)
		case opBool:
			e.Bool(v.b)
		case opString:
			e.String(v.s)
		case opBytes:
			e.Bytes(v.bs)
		case opTime:
			e.Time(v.t)
		case opLen:
			e.Len(v.n)
		case opPresent:
			e.Present(!v.b)
		}
	}
}

// checkScript decodes what encodeScript wrote and reports the first
// value that differs.
func checkScript(t *testing.T, d *Decoder, ops []byte, v codecValues) {
	t.Helper()
	for i, op := range ops {
		ok := true
		switch op % codecOps {
		case opInt:
			ok = d.Int() == v.i
		case opUint:
			ok = d.Uint() == v.u
		case opFloat:
			ok = math.Float64bits(d.Float()) == math.Float64bits(v.f)
		case opBool:
			ok = d.Bool() == v.b
		case opString:
			ok = d.String() == v.s
		case opBytes:
			ok = bytes.Equal(d.Bytes(), v.bs)
		case opTime:
			got := d.Time()
			_, gotOff := got.Zone()
			_, wantOff := v.t.Zone()
			ok = got.Equal(v.t) && gotOff == wantOff
		case opLen:
			// A length is checked against what follows it, which a
			// random script need not honour; read it raw.
			ok = d.Uint() == uint64(v.n)
		case opPresent:
			ok = d.Present() == !v.b
		}
		if !ok || d.Err() != nil {
			t.Fatalf("op %d (%d): value differs after round trip, err %v", i, op%codecOps, d.Err())
		}
	}
	if err := d.Finish(); err != nil {
		t.Fatal(err)
	}
}

func TestCodecRoundTrip(t *testing.T) {
	when := time.Date(2026, 12, 4, 14, 30, 0, 123456789, time.FixedZone("X", 5*3600+1800))
	values := []codecValues{
		{},
		{i: math.MinInt64, u: math.MaxUint64, f: math.NaN(), b: true, s: "héllo\x00", bs: []byte{0, 1, 2}, t: when, n: 1 << 40},
		{i: -1, u: 1, f: math.Inf(-1), s: string(make([]byte, 300)), t: time.Unix(0, 0).UTC(), n: 0},
		// New York's local mean time: an offset with negative seconds.
		{t: time.Date(1850, 3, 1, 12, 0, 0, 0, time.FixedZone("LMT", -(4*3600+56*60+2)))},
	}
	all := []byte{opInt, opUint, opFloat, opBool, opString, opBytes, opTime, opLen, opPresent}
	for _, v := range values {
		e := NewEncoder(nil)
		encodeScript(e, all, v)
		if e.Err() != nil {
			t.Fatal(e.Err())
		}
		checkScript(t, NewDecoder(e.Data()), all, v)
	}
}

// TestCodecMap is the shape the generator emits for a map and a pointer.
func TestCodecMap(t *testing.T) {
	type todo struct {
		Title string
		Done  bool
		Due   *time.Time
	}
	due := time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)
	in := []todo{{"a", true, &due}, {"b", false, nil}}
	e := &Encoder{}
	e.Len(len(in))
	for _, td := range in {
		e.String(td.Title)
		e.Bool(td.Done)
		e.Present(td.Due != nil)
		if td.Due != nil {
			e.Time(*td.Due)
		}
	}

	d := NewDecoder(e.Data())
	out := make([]todo, d.Len())
	for i := range out {
		out[i].Title = d.String()
		out[i].Done = d.Bool()
		if d.Present() {
			tm := d.Time()
			out[i].Due = &tm
		}
	}
	if err := d.Finish(); err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 || out[0].Title != "a" || !out[0].Done || !out[0].Due.Equal(due) || out[1].Due != nil || out[1].Title != "b" {
		t.Errorf("decoded %+v", out)
	}
}

func TestDecoderErrors(t *testing.T) {
	cases := map[string]struct {
		data []byte
		read func(d *Decoder)
	}{
		"empty int":      {nil, func(d *Decoder) { d.Int() }},
		"short float":    {[]byte{1, 2, 3}, func(d *Decoder) { d.Float() }},
		"bad bool":       {[]byte{2}, func(d *Decoder) { d.Bool() }},
		"long string":    {[]byte{5, 'a'}, func(d *Decoder) { _ = d.String() }},
		"huge length":    {[]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, func(d *Decoder) { d.Len() }},
		"len past input": {[]byte{3, 0}, func(d *Decoder) { d.Len() }},
		"bad time":       {[]byte{2, 9, 9}, func(d *Decoder) { d.Time() }},
		"overlong uint":  {bytes.Repeat([]byte{0x80}, 11), func(d *Decoder) { d.Uint() }},
		"trailing":       {[]byte{0, 0}, func(d *Decoder) { d.Int() }},
	}
	for name, c := range cases {
		d := NewDecoder(c.data)
		c.read(d)
		if err := d.Finish(); !errors.Is(err, ErrCodec) {
			t.Errorf("%s: err %v, want ErrCodec", name, err)
		}
		// Sticky: later reads give zero values and keep the first error.
		first := d.Err()
		if d.Int() != 0 || d.String() != "" || d.Err() != first {
			t.Errorf("%s: error not sticky", name)
		}
	}
}

// FuzzCodecRoundTrip writes a script of values and reads it back.
func FuzzCodecRoundTrip(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8}, int64(-5), uint64(7), 1.5, true, "key", []byte("v"), int64(1e9), int64(5), 3600, 12)
	f.Add([]byte{6, 6, 4}, int64(0), uint64(0), math.Inf(1), false, "", []byte(nil), int64(-62135596800), int64(0), -60, 0)
	f.Fuzz(func(t *testing.T, ops []byte, i int64, u uint64, fl float64, b bool, s string, bs []byte, sec, nsec int64, offset, n int) {
		if n < 0 {
			n = -(n + 1)
		}
		// Offsets MarshalBinary accepts: within ±32767 minutes.
		offset %= 32767 * 60
		v := codecValues{i: i, u: u, f: fl, b: b, s: s, bs: bs, n: n,
			t: time.Unix(sec%(1<<40), nsec%1e9).In(time.FixedZone("", offset))}
		if len(bs) == 0 {
			v.bs = nil
		}
		e := NewEncoder(nil)
		encodeScript(e, ops, v)
		if e.Err() != nil {
			t.Skip(e.Err())
		}
		checkScript(t, NewDecoder(e.Data()), ops, v)
	})
}

// FuzzDecoder feeds arbitrary bytes to a script of reads: no panic, no
// length beyond the input, and a sticky error.
func FuzzDecoder(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8}, []byte{3, 'a', 'b', 'c', 1, 0})
	f.Add([]byte{6}, []byte{15, 1, 0, 0, 0, 14, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, ops, data []byte) {
		d := NewDecoder(data)
		failed := false
		for _, op := range ops {
			switch op % codecOps {
			case opInt:
				d.Int()
			case opUint:
				d.Uint()
			case opFloat:
				d.Float()
			case opBool:
				d.Bool()
			case opString:
				if s := d.String(); len(s) > len(data) {
					t.Fatalf("string of %d bytes from %d bytes of input", len(s), len(data))
				}
			case opBytes:
				d.Bytes()
			case opTime:
				d.Time()
			case opLen:
				if n := d.Len(); n > len(data) {
					t.Fatalf("length %d from %d bytes of input", n, len(data))
				}
			case opPresent:
				d.Present()
			}
			if failed && d.Err() == nil {
				t.Fatal("error cleared")
			}
			failed = d.Err() != nil
		}
		if err := d.Err(); err != nil && !errors.Is(err, ErrCodec) {
			t.Fatalf("error %v does not wrap ErrCodec", err)
		}
	})
}
